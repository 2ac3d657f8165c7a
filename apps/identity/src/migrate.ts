import 'reflect-metadata';
import { runMigrationsCommand } from '@offboarding/persistence';
import { entities } from './entities';
import { migrations } from './migrations';

void runMigrationsCommand({ service: 'identity', entities, migrations });
