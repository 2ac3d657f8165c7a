import { spawnSync } from 'node:child_process';

/** Whether the librdkafka command-line client is installed on this machine. */
export function kcatInstalled(): boolean {
  const probe = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  return !probe.error && probe.status === 0;
}

/**
 * `describe` for suites that prove Kafka compatibility with kcat. They always run in CI (where a
 * missing kcat fails them loudly) and wherever kcat is installed; on a laptop without it they are
 * reported as skipped with the command that enables them, so `npm test` still passes there.
 */
export function describeWithKcat(name: string, suite: () => void): void {
  if (process.env.CI || kcatInstalled()) {
    describe(name, suite);
    return;
  }
  process.stderr.write(`\nkcat is not installed: skipping "${name}" (apt-get install -y kcat runs it)\n`);
  describe.skip(name, suite);
}
