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

export interface MockKafkaCluster {
  /** Bootstrap servers of the cluster's brokers. */
  readonly brokers: string[];
  stop(): Promise<void>;
}

/**
 * librdkafka's mock cluster (an independent Kafka implementation inside librdkafka), started by
 * kcat with `-X test.mock.num.brokers=<n>` and kept alive by a consumer of a topic of its own; its
 * bootstrap servers are read from librdkafka's `mock` debug log.
 */
export async function startMockKafkaCluster(brokerCount = 3): Promise<MockKafkaCluster> {
  const kcat = spawn('kcat', ['-C', '-b', 'unused:9092', '-X', `test.mock.num.brokers=${brokerCount}`, '-t', 'mock-cluster-keepalive', '-d', 'mock', '-q', '-o', 'end'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => kcat.once('exit', () => resolve()));
  const brokers = await new Promise<string[]>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`kcat did not start a mock cluster: ${log.slice(-500)}`)), 15_000);
    kcat.once('error', reject);
    kcat.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /Mock cluster \S+ bootstrap\.servers=(\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].split(','));
      }
    });
  });
  // Its debug log keeps coming; read and drop it so the pipe never fills.
  kcat.stderr.removeAllListeners('data');
  kcat.stderr.resume();
  return {
    brokers,
    async stop() {
      if (kcat.exitCode === null && kcat.signalCode === null) kcat.kill('SIGTERM');
      await exited;
    },
  };
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
