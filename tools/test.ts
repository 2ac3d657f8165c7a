import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// `npm test`: unit tests, the integration suite on embedded PGlite, the same suite plus the
// concurrency cases on a real PostgreSQL server when TEST_DATABASE_URL names one, and the
// end-to-end test of the whole stack. Ends with one "N passed, N failed" line.

interface Run {
  name: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

const realDatabase = process.env.TEST_DATABASE_URL;
const embeddedEnv = { TEST_DATABASE_URL: '' };
const runs: Run[] = [
  { name: 'unit', args: ['--selectProjects', 'unit'] },
  { name: 'integration (PGlite)', args: ['--selectProjects', 'integration', '--runInBand'], env: embeddedEnv },
  ...(realDatabase
    ? [
        {
          name: 'integration (PostgreSQL)',
          args: ['--selectProjects', 'integration', 'postgres', '--runInBand'],
          env: { TEST_DATABASE_URL: realDatabase },
        },
      ]
    : []),
  { name: 'end-to-end', args: ['--selectProjects', 'e2e', '--runInBand'], env: embeddedEnv },
];

const only = process.argv.slice(2);
const jest = require.resolve('jest/bin/jest');
const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-test-'));
let passed = 0;
let failed = 0;
let skipped = 0;
const failedRuns: string[] = [];

for (const [index, run] of runs.entries()) {
  if (only.length > 0 && !only.some((name) => run.name.startsWith(name))) continue;
  process.stdout.write(`\n=== ${run.name} ===\n`);
  const outputFile = path.join(resultsDir, `${index}.json`);
  const result = spawnSync(process.execPath, [jest, ...run.args, '--json', `--outputFile=${outputFile}`], {
    stdio: 'inherit',
    env: {
      ...process.env,
      ...run.env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings=ExperimentalWarning`.trim(),
    },
  });
  let counted = false;
  if (fs.existsSync(outputFile)) {
    const summary = JSON.parse(fs.readFileSync(outputFile, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTotalTestSuites: number;
    };
    passed += summary.numPassedTests;
    failed += summary.numFailedTests;
    skipped += summary.numPendingTests;
    counted = true;
    if (summary.numTotalTestSuites === 0) {
      failedRuns.push(`${run.name} (no test suites found)`);
      continue;
    }
  }
  if (result.status !== 0) {
    failedRuns.push(run.name);
    if (!counted) failed += 1;
  }
}

fs.rmSync(resultsDir, { recursive: true, force: true });
if (failedRuns.length > 0) process.stdout.write(`\nfailed: ${failedRuns.join(', ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failedRuns.length > 0 ? 1 : 0;
