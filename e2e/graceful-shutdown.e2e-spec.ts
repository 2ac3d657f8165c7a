import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@offboarding/contracts';
import { startDevBroker, type DevBroker } from '@offboarding/dev-broker';
import { freePortBlock, TestIdentity, waitFor } from '@offboarding/testing';
import { sendKeyed } from './graphql-client';

// SIGTERM while clients keep sending keyed mutations: every request the service accepted
// completes, the process exits 0 within the grace period, and after a restart each change's event
// is on the topic exactly once: none lost, none duplicated. A client whose connection was refused
// or reset retries with its Idempotency-Key, so no change is left that no client knows of.
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
  /** Connections reset after SIGTERM: the client cannot tell whether its change was made. */
  let resets = 0;
  const CREATE = 'mutation Create($name: String!) { createOrganization(input: { name: $name, type: CUSTOMER }) { id } }';
  /**
   * One keyed mutation on a connection of its own. Once SIGTERM was sent, a refused or reset
   * connection counts as not answered: the client keeps the key and retries once the service is
   * back. A refused connection never reached the server; a reset one sometimes did, and its change
   * was committed: the retry with the same key must then find that change rather than make another.
   */
  const create = async (name: string, key: string): Promise<{ answered: false } | { answered: true; id: string | null; errors: unknown }> => {
    let res: Response;
    try {
      res = await fetch(`http://127.0.0.1:${PORT}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close', authorization: `Bearer ${token}`, 'idempotency-key': key },
        body: JSON.stringify({ query: CREATE, variables: { name } }),
      });
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (code === 'ECONNREFUSED') return { answered: false };
      if (signalled && (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET')) {
        resets += 1;
        return { answered: false };
      }
      throw error;
    }
    const body = (await res.json()) as { data?: { createOrganization?: { id: string } }; errors?: unknown };
    return { answered: true, id: body.data?.createOrganization?.id ?? null, errors: body.errors ?? null };
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

  it('finishes accepted requests, exits 0, loses or duplicates no event, and leaves no outcome unknown', async () => {
    let service = startService();
    await ready();

    /** Organizations whose creation was answered, by key. */
    const answered = new Map<string, string>();
    /** Requests without an answer (refused or reset after SIGTERM): the client still holds their key. */
    const unanswered: { key: string; name: string }[] = [];
    const failures: unknown[] = [];
    let refused = 0;
    let stopped = false;
    const client = async (n: number) => {
      for (let i = 0; !stopped; i += 1) {
        const request = { key: randomUUID(), name: `Load ${n}-${i}` };
        const result = await create(request.name, request.key).catch((error: unknown) => ({ answered: true as const, id: null, errors: String(error) }));
        if (!result.answered) {
          refused += 1;
          unanswered.push(request);
          return;
        }
        if (result.id) answered.set(request.key, result.id);
        else failures.push(result.errors);
      }
    };
    const clients = Array.from({ length: 6 }, (_, n) => client(n));

    await waitFor(() => answered.size >= 40, { timeoutMs: 120_000, description: 'load to build up' });
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
    process.stderr.write(`graceful shutdown: ${answered.size} requests answered, exit after ${Math.round(shutdownMs)} ms\n`);

    // A restart publishes whatever the last round left in the outbox, and nothing twice; every
    // client without an answer retries with its key and learns its outcome.
    service = startService();
    await ready();
    const retried = new Map<string, string>();
    for (const request of unanswered) {
      const { result } = await sendKeyed<{ createOrganization: { id: string } }>(`http://127.0.0.1:${PORT}/graphql`, CREATE, { name: request.name }, {
        token,
        key: request.key,
        deadline: Date.now() + 60_000,
      });
      expect(result.errors).toBeUndefined();
      retried.set(request.key, result.data!.createOrganization.id);
    }
    const known = new Set([...answered.values(), ...retried.values()]);
    const kafka = new Kafka({ clientId: 'shutdown-check', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `shutdown-check-${Date.now()}`, maxWaitTimeInMs: 250 });
    const created = new Map<string, Set<string>>();
    await consumer.connect();
    await consumer.subscribe({ topics: [Topics.entitlements], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.headers?.ce_type?.toString() !== 'com.offboarding.entitlements.organization_created.v1') return;
        const key = message.key?.toString() ?? '';
        created.set(key, (created.get(key) ?? new Set()).add(message.headers?.ce_id?.toString() ?? ''));
        return Promise.resolve();
      },
    });
    try {
      await waitFor(() => [...known].every((id) => created.has(id)), { timeoutMs: 60_000, description: 'every known organization on the topic' });
      // Exactly one creation event per organization (a redelivered copy would carry the same ce_id).
      expect([...created].filter(([, events]) => events.size !== 1)).toEqual([]);
      // No outcome unknown: every organization created is one a client was told of, at once or by
      // its keyed retry; a reset request that was committed was found, not made again.
      expect([...created.keys()].filter((id) => !known.has(id))).toEqual([]);
      expect(new Set(retried.values()).size).toBe(retried.size);
      process.stderr.write(
        `graceful shutdown: ${resets} connections reset, ${unanswered.length} requests without an answer, all settled by their keyed retry; ${known.size} organizations, each once\n`,
      );
    } finally {
      await consumer.disconnect();
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
    }
  }, 600_000);
});
