import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@offboarding/contracts';
import { startDevBroker, type DevBroker } from '@offboarding/dev-broker';
import { freePortBlock, TestIdentity, waitFor } from '@offboarding/testing';

// SIGTERM while clients keep sending mutations: every request the service accepted completes,
// the process exits 0 within the grace period, and after a restart each accepted change's event
// is on the topic exactly once: none lost, none duplicated.
const root = path.resolve(__dirname, '..');
const GRACE_MS = 30_000;

describe('graceful shutdown under load', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-shutdown-'));
  let broker: DevBroker;
  let identity: TestIdentity;
  let token = '';
  // A free port of its own, kept across the restart.
  let PORT = 0;
  const output: string[] = [];

  const startService = (): { child: ChildProcess; exited: Promise<number | null> } => {
    const child = spawn(process.execPath, [path.join(root, 'tools/run-ts.js'), path.join(root, 'apps/entitlements/src/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        ENTITLEMENTS_PORT: String(PORT),
        HOST: '127.0.0.1',
        ENTITLEMENTS_DATABASE_URL: '',
        DATABASE_URL: '',
        DATA_DIR: dataDir,
        KAFKA_BROKERS: broker.brokers,
        IDENTITY_URL: identity.graphqlUrl,
        SCHEDULER_INTERVAL_MS: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited };
  };
  const ready = () =>
    waitFor(async () => (await fetch(`http://127.0.0.1:${PORT}/health/ready`).catch(() => null))?.status === 200, {
      timeoutMs: 240_000,
      intervalMs: 250,
      description: 'the entitlements service to be ready',
    });

  let signalled = false;
  /** Connections reset after SIGTERM: their requests' outcome is unknown to the client. */
  let resets = 0;
  /**
   * One mutation on a connection of its own. Once SIGTERM was sent, a refused or reset connection
   * counts as not accepted. A refused one never reached the server. A reset one usually did not
   * either (the kernel queued it and the closing server never took it), but under load a reset
   * request's change was sometimes committed: an organization on the topic that no client saw
   * created. That case is counted and bounded at the end, not hidden.
   */
  const create = async (name: string): Promise<{ accepted: false } | { accepted: true; id: string | null; errors: unknown }> => {
    let res: Response;
    try {
      res = await fetch(`http://127.0.0.1:${PORT}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: `mutation { createOrganization(input: { name: "${name}", type: CUSTOMER }) { id } }` }),
      });
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (code === 'ECONNREFUSED') return { accepted: false };
      if (signalled && (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET')) {
        resets += 1;
        return { accepted: false };
      }
      throw error;
    }
    const body = (await res.json()) as { data?: { createOrganization?: { id: string } }; errors?: unknown };
    return { accepted: true, id: body.data?.createOrganization?.id ?? null, errors: body.errors ?? null };
  };

  beforeAll(async () => {
    PORT = await freePortBlock(1);
    broker = await startDevBroker({ port: 0 });
    identity = await TestIdentity.start();
    token = await identity.token({ role: 'ADMIN', expiresIn: 3600 });
  });

  afterAll(async () => {
    await broker?.close();
    await identity?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes accepted requests, exits 0, and loses or duplicates no event', async () => {
    let service = startService();
    await ready();

    const accepted: string[] = [];
    const failures: unknown[] = [];
    let refused = 0;
    let stopped = false;
    const client = async (n: number) => {
      for (let i = 0; !stopped; i += 1) {
        const result = await create(`Load ${n}-${i}`).catch((error: unknown) => ({ accepted: true as const, id: null, errors: String(error) }));
        if (!result.accepted) {
          refused += 1;
          return;
        }
        if (result.id) accepted.push(result.id);
        else failures.push(result.errors);
      }
    };
    const clients = Array.from({ length: 6 }, (_, n) => client(n));

    await waitFor(() => accepted.length >= 40, { timeoutMs: 120_000, description: 'load to build up' });
    const signalledAt = performance.now();
    signalled = true;
    service.child.kill('SIGTERM');
    const code = await service.exited;
    const shutdownMs = performance.now() - signalledAt;
    stopped = true;
    await Promise.all(clients);

    expect(failures).toEqual([]);
    if (code !== 0) process.stderr.write(`service output:\n${output.join('')}\n`);
    expect(code).toBe(0);
    expect(shutdownMs).toBeLessThan(GRACE_MS);
    expect(refused).toBeGreaterThan(0);
    process.stderr.write(`graceful shutdown: ${accepted.length} requests accepted and completed, exit after ${Math.round(shutdownMs)} ms\n`);

    // A restart publishes whatever the last round left in the outbox, and nothing twice.
    service = startService();
    await ready();
    const kafka = new Kafka({ clientId: 'shutdown-check', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `shutdown-check-${Date.now()}`, maxWaitTimeInMs: 250 });
    const created = new Map<string, number>();
    await consumer.connect();
    await consumer.subscribe({ topics: [Topics.entitlements], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.headers?.ce_type?.toString() !== 'com.offboarding.entitlements.organization_created.v1') return;
        const key = message.key?.toString() ?? '';
        created.set(key, (created.get(key) ?? 0) + 1);
        return Promise.resolve();
      },
    });
    try {
      await waitFor(() => accepted.every((id) => created.has(id)), { timeoutMs: 60_000, description: 'every accepted organization on the topic' });
      expect(accepted.filter((id) => created.get(id) !== 1)).toEqual([]);
      // Nothing acknowledged is lost or doubled (above); beyond that, at most one change per reset
      // connection reached the topic without its client hearing of it.
      const unacknowledged = created.size - accepted.length;
      process.stderr.write(`graceful shutdown: ${resets} connections reset, ${unacknowledged} changes committed unacknowledged\n`);
      expect(unacknowledged).toBeLessThanOrEqual(resets);
    } finally {
      await consumer.disconnect();
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
    }
  }, 600_000);
});
