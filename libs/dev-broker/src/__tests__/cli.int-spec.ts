import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { createTestCertificates } from '@offboarding/testing';
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
async function startCli(dataDir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Cli> {
  const child = spawn(process.execPath, [join(ROOT, 'tools/run-ts.js'), 'libs/dev-broker/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, KAFKA_DEV_PORT: '0', KAFKA_DEV_DATA_DIR: dataDir, ...extraEnv },
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

  it('serves SASL_SSL with SCRAM from its KAFKA_DEV_* settings, and names a wrong one on exit', async () => {
    const pki = await createTestCertificates();
    try {
      const cli = await startCli(dataDir, {
        KAFKA_DEV_TLS_CERT_FILE: pki.trusted.server.certFile,
        KAFKA_DEV_TLS_KEY_FILE: pki.trusted.server.keyFile,
        KAFKA_DEV_SASL_USERS: 'offboarding-entitlements:pa:ss,reader:other',
        KAFKA_DEV_SASL_MECHANISMS: 'scram-sha-512',
      });
      running.push(cli);
      const admin = kafkaClient(`localhost:${cli.port}`, 'cli-secure', {
        ssl: { ca: [pki.trusted.ca] },
        sasl: { mechanism: 'scram-sha-512', username: 'offboarding-entitlements', password: 'pa:ss' },
      }).admin();
      await admin.connect();
      expect(await admin.listTopics()).toEqual([]);
      await admin.disconnect();
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);

      const broken = spawn(process.execPath, [join(ROOT, 'tools/run-ts.js'), 'libs/dev-broker/src/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, KAFKA_DEV_PORT: '0', KAFKA_DEV_DATA_DIR: dataDir, KAFKA_DEV_TLS_CERT_FILE: pki.trusted.server.certFile },
      });
      let stderr = '';
      broken.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      expect(await new Promise((done) => broken.on('close', done))).toBe(1);
      expect(stderr).toContain('KAFKA_DEV_TLS_CERT_FILE and KAFKA_DEV_TLS_KEY_FILE: set both or neither');
    } finally {
      await pki.remove();
    }
  });
});
