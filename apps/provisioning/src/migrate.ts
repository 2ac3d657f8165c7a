import 'reflect-metadata';
import { resolveDatabaseTarget, runMigrationsCommand } from '@offboarding/persistence';
import { entities } from './entities';
import { migrations } from './migrations';

void runMigrationsCommand({ service: 'provisioning', entities, migrations, target: resolveDatabaseTarget('provisioning', process.env) });
