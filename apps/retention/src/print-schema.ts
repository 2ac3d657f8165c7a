import 'reflect-metadata';
import { printSubgraphSdl } from '@offboarding/platform';
import { AppModule } from './app.module';

void printSubgraphSdl(AppModule).then((sdl) => process.stdout.write(sdl));
