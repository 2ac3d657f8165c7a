import './instrument';
import 'reflect-metadata';
import { runSubgraph } from '@offboarding/platform';
import { AppModule } from './app.module';

runSubgraph(AppModule);
