import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startDevBroker, type DevBroker } from '@offboarding/dev-broker';
import { freePortBlock, TestIdentity, waitFor } from '@offboarding/testing';

// A service restarted after a kill -9 finds its consumer group still holding the dead member
// until that member's session times out. It serves and reports ready meanwhile (requests need the
// database and the producer, not the consumer), says `consumer: joining` in its readiness body,
// and starts consuming once the group lets it in.

const root = path.resolve(__dirname, '../../../..');

interface Readiness {
  status: string;
  consumer: string | null;
}

describe('a service whose consumer group still holds a dead member', () => {
  let broker: DevBroker;
  let identity: TestIdentity;
  let dataDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-join-'));
    [broker, identity] = await Promise.all([startDevBroker({ port: 0 }), TestIdentity.start()]);
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await broker?.close();
    await identity?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A member of the service's group in a process of its own, killed without leaving the group. */
  async function deadMember(sessionTimeoutMs: number): Promise<void> {
    const script = `
      const { Kafka, logLevel } = require('kafkajs');
      const kafka = new Kafka({ clientId: 'dead-member', brokers: [${JSON.stringify(broker.brokers)}], logLevel: logLevel.NOTHING });
      const consumer = kafka.consumer({ groupId: 'offboarding.entitlements', sessionTimeout: ${sessionTimeoutMs}, rebalanceTimeout: ${sessionTimeoutMs} });
      consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write('joined\\n'));
      (async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: ['offboarding.retention.v1'], fromBeginning: true });
        await consumer.run({ eachMessage: async () => {} });
      })();
    `;
    const child = spawn(process.execPath, ['-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => output.includes('joined'), { timeoutMs: 60_000, description: 'the member to join the group' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  it('is ready while its consumer joins, then consumes', async () => {
    await deadMember(20_000);
    const killedAt = performance.now();
    const port = await freePortBlock(1);
    const service = spawn(process.execPath, [path.join(root, 'tools/run-ts.js'), path.join(root, 'apps/entitlements/src/main.ts')], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        KAFKA_BROKERS: broker.brokers,
        ENTITLEMENTS_PORT: String(port),
        HOST: '127.0.0.1',
        IDENTITY_URL: identity.graphqlUrl,
        SCHEDULER_INTERVAL_MS: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(service);
    const readiness = async (): Promise<Readiness | undefined> => {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
      return response?.status === 200 ? ((await response.json()) as Readiness) : undefined;
    };

    const ready = await waitFor(readiness, { timeoutMs: 120_000, intervalMs: 100, description: 'the service to be ready' });
    const readyAfterMs = performance.now() - killedAt;
    // Ready before the dead member's session (20 s) let the group rebalance: the consumer is still joining.
    expect(ready).toEqual(expect.objectContaining({ status: 'ready', consumer: 'joining' }));
    const consuming = await waitFor(async () => (await readiness())?.consumer === 'consuming', { timeoutMs: 120_000, intervalMs: 250, description: 'the consumer to join' });
    expect(consuming).toBe(true);
    expect(performance.now() - killedAt).toBeGreaterThan(readyAfterMs);

    const exited = new Promise<number | null>((resolve) => service.once('exit', (code) => resolve(code)));
    service.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 300_000);
});
