import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { root, SCHEDULED_JOBS, SUBGRAPHS } from './deployment-contract';

// The jobs each service registers, with their schedules, are exactly the contract the CronJobs
// follow (k8s-manifests.int-spec.ts checks the other side). Each service in its own process.
describe('scheduled jobs of the services', () => {
  it.each(SUBGRAPHS)('%s registers exactly the contracted jobs and schedules', async (service) => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'tools/run-ts.js'), path.join(root, 'tools/list-scheduled-jobs.ts'), service], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent' },
      timeout: 120_000,
    });
    const jobs = JSON.parse(stdout) as { name: string; schedule: string; description: string }[];
    expect(Object.fromEntries(jobs.map((job) => [job.name, job.schedule]))).toEqual(SCHEDULED_JOBS[service]);
    for (const job of jobs) expect(job.description.length).toBeGreaterThan(10);
  });
});
