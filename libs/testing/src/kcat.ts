import { spawn, spawnSync } from 'node:child_process';

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

export interface KcatResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kcat to completion (killed after `timeoutMs`), optionally feeding stdin. */
export function runKcat(args: readonly string[], input?: string, timeoutMs = 30_000): Promise<KcatResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kcat ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}
