import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { kafkaClient, makeDataDir, removeDir, waitFor } from './support/harness';

jest.setTimeout(45_000);

const ROOT = resolve(__dirname, '../../../..');
const READY = /^dev kafka broker listening on localhost:(\d+)$/m;

interface Cli {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  readonly output: () => { stdout: string; stderr: string };
  readonly exited: Promise<number | null>;
}

/** Runs the CLI exactly as `npm run broker` does and waits for its readiness line. */
async function startCli(dataDir: string): Promise<Cli> {
  const child = spawn(process.execPath, [join(ROOT, 'tools/run-ts.js'), 'libs/dev-broker/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, KAFKA_DEV_PORT: '0', KAFKA_DEV_DATA_DIR: dataDir },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  const match = await waitFor('the CLI readiness line', () => READY.exec(stdout), { timeoutMs: 30_000 }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${String(error)}\nstdout: ${stdout}\nstderr: ${stderr}`);
  });
  return { child, port: Number(match[1]), output: () => ({ stdout, stderr }), exited };
}

describe('dev broker CLI (libs/dev-broker/src/main.ts)', () => {
  let dataDir: string;
  const running: Cli[] = [];

  beforeEach(async () => {
    dataDir = await makeDataDir('dev-broker-cli-');
  });

  afterEach(async () => {
    for (const cli of running.splice(0)) {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      await cli.exited;
    }
    await removeDir(dataDir);
  });

  it('prints one readiness line, serves clients, and shuts down cleanly on SIGTERM and SIGINT', async () => {
    const first = await startCli(dataDir);
    running.push(first);
    expect(first.port).toBeGreaterThan(0);
    expect(first.output().stdout).toBe(`dev kafka broker listening on localhost:${first.port}\n`);

    const admin = kafkaClient(`localhost:${first.port}`).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'cli-topic', numPartitions: 2 }] });
    await admin.disconnect();

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(JSON.parse(await fs.readFile(join(dataDir, 'topics', 'cli-topic', 'topic.json'), 'utf8'))).toEqual({ name: 'cli-topic', partitions: 2 });

    const second = await startCli(dataDir);
    running.push(second);
    const admin2 = kafkaClient(`localhost:${second.port}`).admin();
    await admin2.connect();
    expect(await admin2.listTopics()).toEqual(['cli-topic']);
    await admin2.disconnect();
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    expect(second.output().stderr).not.toMatch(/"level":"error"/);
  });
});
