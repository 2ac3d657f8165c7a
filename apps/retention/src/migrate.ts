import 'reflect-metadata';
import { resolveDatabaseTarget, runMigrationsCommand } from '@offboarding/persistence';
import { entities } from './entities';
import { migrations } from './migrations';

void runMigrationsCommand({ service: 'retention', entities, migrations, target: resolveDatabaseTarget('retention', process.env) });
