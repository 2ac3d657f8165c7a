import 'reflect-metadata';
import { resolveDatabaseTarget, runMigrationsCommand } from '@offboarding/persistence';
import { entities } from './entities';
import { migrations } from './migrations';

void runMigrationsCommand({ service: 'entitlements', entities, migrations, target: resolveDatabaseTarget('entitlements', process.env) });
