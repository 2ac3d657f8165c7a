import 'reflect-metadata';
import * as path from 'node:path';
import type { Type } from '@nestjs/common';
import { describeScheduledJobs } from '@offboarding/platform';

// Prints the scheduled jobs a service registers (name, schedule, description) as JSON:
// `node tools/run-ts.js tools/list-scheduled-jobs.ts <service>`. One service per process, as
// with the schema printer: each service's GraphQL types live in a process-wide registry.

const service = process.argv[2];
if (!service || !/^[a-z]+$/.test(service)) {
  process.stderr.write('usage: list-scheduled-jobs <service>\n');
  process.exit(2);
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the service is chosen at run time
const { AppModule } = require(path.resolve(__dirname, '..', 'apps', service, 'src', 'app.module')) as { AppModule: Type<unknown> };
describeScheduledJobs(AppModule).then(
  (jobs) => process.stdout.write(`${JSON.stringify(jobs)}\n`),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
