import 'reflect-metadata';
import { resolveDatabaseTarget, runMigrationsCommand } from '@offboarding/persistence';
import { entities } from './entities';
import { migrations } from './migrations';

void runMigrationsCommand({ service: 'identity', entities, migrations, target: resolveDatabaseTarget('identity', process.env) });
