import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Topics, type EventPayload } from '@offboarding/contracts';
import { startDevBroker, type DevBroker } from '@offboarding/dev-broker';
import { waitFor } from '@offboarding/testing';
import { createOutboxProducer } from '../kafka';
import { Outbox } from '../outbox';
import { OutboxRelay } from '../outbox-relay';
import { UnitOfWork } from '../unit-of-work';
import { CreateNotes1732000000001, openTestDatabase, recordingLogger, testKafka, topicReader, type ReadMessage } from './messaging-test-kit';

const GRANTED = 'com.offboarding.entitlements.entitlement_granted.v1';

function grant(organizationId: string, product: string): EventPayload<typeof GRANTED> {
  return { organizationId, entitlementId: randomUUID(), class: 'PLG', product, grantedAt: new Date().toISOString() };
}

describe('outbox and relay (database + dev broker)', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let broker: DevBroker;
  let dataDir: string;
  let kafka: Kafka;
  const logger = recordingLogger();
  const outbox = new Outbox('entitlements');
  let table: string;
  let notes: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'messaging-broker-'));
    [db, broker] = await Promise.all([openTestDatabase('outbox', [CreateNotes1732000000001]), startDevBroker({ port: 0, dataDir })]);
    kafka = testKafka(broker.brokers, logger);
    table = `"${db.schema}".outbox`;
    notes = `"${db.schema}".notes`;
  });

  afterAll(async () => {
    await db?.drop();
    await broker?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const unsent = async () =>
    Number((await db.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM ${table} WHERE sent_at IS NULL`))[0].n);

  const newRelay = (options: { pollIntervalMs?: number; maxBackoffMs?: number; batchSize?: number } = {}) =>
    new OutboxRelay({ dataSource: db.dataSource, producer: createOutboxProducer(kafka, { retry: { retries: 1, initialRetryTime: 100 } }), logger, ...options });

  it('writes the event only when the state change commits', async () => {
    const work = new UnitOfWork(db.dataSource, outbox);
    const org = randomUUID();
    const before = await db.dataSource.query<unknown[]>(`SELECT id FROM ${table}`);

    await expect(
      work.run(async ({ manager, publish }) => {
        await manager.query(`INSERT INTO ${notes} (body) VALUES ('rolled back')`);
        await publish(GRANTED, org, grant(org, 'Forms Pro'));
        throw new Error('business rule violated');
      }),
    ).rejects.toThrow('business rule violated');

    // An invalid payload aborts the caller's transaction, state change included.
    await expect(
      work.run(async ({ manager, publish }) => {
        await manager.query(`INSERT INTO ${notes} (body) VALUES ('also rolled back')`);
        await publish(GRANTED, org, { ...grant(org, 'Forms Pro'), class: 'GOLD' } as unknown as EventPayload<typeof GRANTED>);
      }),
    ).rejects.toThrow(/class/);
    expect(await db.dataSource.query(`SELECT id FROM ${table}`)).toEqual(before);
    expect(await db.dataSource.query(`SELECT body FROM ${notes}`)).toEqual([]);

    const envelope = await work.run(async ({ manager, publish }) => {
      await manager.query(`INSERT INTO ${notes} (body) VALUES ('kept')`);
      return publish(GRANTED, org, grant(org, 'Forms Pro'));
    });
    const rows = await db.dataSource.query<{ topic: string; message_key: string; type: string; sent_at: Date | null }[]>(
      `SELECT topic, message_key, type, sent_at FROM ${table} WHERE id = $1`,
      [envelope.id],
    );
    expect(rows).toEqual([{ topic: Topics.entitlements, message_key: org, type: GRANTED, sent_at: null }]);
    expect(await db.dataSource.query(`SELECT body FROM ${notes}`)).toEqual([{ body: 'kept' }]);
  });

  it("writes a transaction's events as one insert before it commits, in order, without those of a rolled-back savepoint", async () => {
    const work = new UnitOfWork(db.dataSource, outbox);
    const org = randomUUID();
    const statements: string[] = [];
    const products = await work.run(async ({ manager, publish }) => {
      const query = manager.query.bind(manager);
      jest.spyOn(manager, 'query').mockImplementation((sql: string, parameters?: unknown[]) => {
        statements.push(sql);
        return query(sql, parameters);
      });
      const published = ['first', 'second', 'third'];
      for (const product of published) await publish(GRANTED, org, grant(org, product));
      // A nested transaction that rolls back takes its event with it; the outer ones stay.
      await expect(
        manager.transaction(async (inner) => {
          await outbox.add(inner, GRANTED, org, grant(org, 'rolled back'));
          throw new Error('inner refusal');
        }),
      ).rejects.toThrow('inner refusal');
      await publish(GRANTED, org, grant(org, 'fourth'));
      // The three were written before the savepoint; the fourth waits for the commit.
      const written = await query<unknown[]>(`SELECT 1 FROM ${table} WHERE message_key = $1`, [org]);
      expect(written).toHaveLength(3);
      return [...published, 'fourth'];
    });
    const rows = await db.dataSource.query<{ product: string }[]>(`SELECT payload->>'product' AS product FROM ${table} WHERE message_key = $1 ORDER BY seq`, [org]);
    expect(rows.map((row) => row.product)).toEqual(products);
    // The three outer events went in one statement before the savepoint, the fourth at commit.
    expect(statements.filter((sql) => sql.includes(`INSERT INTO ${table}`))).toHaveLength(2);
  });

  it('publishes pending events as binary CloudEvents keyed by organization and marks them sent', async () => {
    const work = new UnitOfWork(db.dataSource, outbox);
    const org = randomUUID();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const tracestate = 'vendor=opaque-state';
    const envelope = await work.run(({ publish }) => publish(GRANTED, org, grant(org, 'Traced'), { traceparent, tracestate }));
    const pending = await unsent();

    const relay = newRelay();
    const reader = await topicReader(kafka, [Topics.entitlements]);
    try {
      expect(await relay.relayOnce()).toBe(pending);
      expect(await unsent()).toBe(0);
      const [received] = await reader.waitFor(1, (m) => m.headers.ce_id === envelope.id);
      expect(received.message.key?.toString()).toBe(org);
      expect(received.headers).toEqual({
        ce_id: envelope.id,
        ce_source: '/offboarding/entitlements',
        ce_type: GRANTED,
        ce_time: envelope.time,
        ce_specversion: '1.0',
        ce_subject: org,
        'content-type': 'application/json',
        traceparent,
        tracestate,
      });
      expect(JSON.parse(received.message.value!.toString())).toEqual(envelope.data);
      const [row] = await db.dataSource.query<{ attempts: number; sent: boolean }[]>(
        `SELECT attempts, sent_at IS NOT NULL AS sent FROM ${table} WHERE id = $1`,
        [envelope.id],
      );
      expect(row).toEqual({ attempts: 1, sent: true });
      expect(await relay.relayOnce()).toBe(0);
    } finally {
      await reader.close();
      await relay.stop();
    }
  });

  it('publishes a backlog larger than a batch oldest first, keeping each organization in order', async () => {
    const work = new UnitOfWork(db.dataSource, outbox);
    const orgs = [randomUUID(), randomUUID(), randomUUID()];
    const ids: string[] = [];
    // More than ten rows, so seq ordering is tested past the point where text and numbers disagree.
    for (let i = 0; i < 25; i += 1) {
      const org = orgs[i % orgs.length];
      ids.push((await work.run(({ publish }) => publish(GRANTED, org, grant(org, `backlog-${i}`)))).id);
    }
    const relay = newRelay({ batchSize: 4 });
    const reader = await topicReader(kafka, [Topics.entitlements]);
    try {
      let rounds = 0;
      while ((await unsent()) > 0) {
        rounds += 1;
        expect(await relay.relayOnce()).toBeGreaterThan(0);
      }
      expect(rounds).toBeGreaterThan(1);
      const received = await reader.waitFor(ids.length, (m) => ids.includes(m.headers.ce_id));
      for (const org of orgs) {
        const products = dedupe(received.filter((m) => m.headers.ce_subject === org).map(productOf));
        expect(products).toEqual([...products].sort(byIndex));
        expect(products).toHaveLength(org === orgs[0] ? 9 : 8);
      }
    } finally {
      await reader.close();
      await relay.stop();
    }
  });

  it('publishes at once when woken after a commit, without waiting for the next poll', async () => {
    const relay = newRelay({ pollIntervalMs: 120_000 });
    const work = new UnitOfWork(db.dataSource, outbox, relay);
    const org = randomUUID();
    relay.start();
    try {
      // The first commit may be caught by the relay's initial round; once it is sent, the relay sleeps.
      await work.run(({ publish }) => publish(GRANTED, org, grant(org, 'first')));
      await waitFor(async () => (await unsent()) === 0, { description: 'the first event to be sent' });
      const second = await work.run(({ publish }) => publish(GRANTED, org, grant(org, 'second')));
      await waitFor(
        async () =>
          (await db.dataSource.query<unknown[]>(`SELECT 1 FROM ${table} WHERE id = $1 AND sent_at IS NOT NULL`, [second.id])).length === 1,
        { timeoutMs: 10_000, description: 'the woken relay to send the second event' },
      );
    } finally {
      await relay.stop();
    }
  });

  it('delays events through a broker outage and loses none, saying so once per outage', async () => {
    const relay = newRelay({ pollIntervalMs: 100, maxBackoffMs: 400 });
    const logged = (message: string) => logger.entries.filter((entry) => entry.msg === message).length;
    const errorsBefore = logger.entries.filter((entry) => entry.level === 'error').length;
    const work = new UnitOfWork(db.dataSource, outbox, relay);
    const orgs = [randomUUID(), randomUUID()];
    const { port } = broker;
    relay.start();
    try {
      // Connected and idle first, so the outage hits a publish rather than the connection attempt.
      await work.run(({ publish }) => publish(GRANTED, orgs[0], grant(orgs[0], 'before')));
      await waitFor(async () => (await unsent()) === 0, { description: 'the event before the outage to be sent' });
      await broker.close();
      const written: string[] = [];
      for (let i = 0; i < 6; i += 1) {
        const org = orgs[i % 2];
        written.push((await work.run(({ publish }) => publish(GRANTED, org, grant(org, `outage-${i}`)))).id);
      }
      // The relay tried, failed, rolled back and said why on the rows.
      const failed = await waitFor(
        async () => {
          const rows = await db.dataSource.query<{ attempts: number; last_error: string | null }[]>(
            `SELECT attempts, last_error FROM ${table} WHERE id = ANY($1::uuid[]) AND sent_at IS NULL AND last_error IS NOT NULL`,
            [written],
          );
          return rows.length > 0 && rows;
        },
        { timeoutMs: 30_000, description: 'a failed publish to be recorded' },
      );
      expect(failed[0].attempts).toBeGreaterThanOrEqual(1);
      expect(await unsent()).toBe(written.length);
      // Several rounds fail; the outage is one error line and shows in the relay's health.
      await waitFor(() => relay.health().consecutiveFailures >= 3, { timeoutMs: 30_000, description: 'three failed rounds' });
      expect(relay.health()).toMatchObject({ failing: true, failingSince: expect.any(String), lastError: expect.any(String) });
      expect(logger.entries.filter((entry) => entry.level === 'error').slice(errorsBefore).map((entry) => entry.msg)).toEqual([
        'outbox relay failing; events stay in the outbox and rounds retry with backoff until it recovers',
      ]);

      broker = await startDevBroker({ port, dataDir });
      await waitFor(async () => (await unsent()) === 0, { timeoutMs: 30_000, description: 'the backlog to drain' });
      expect(relay.health()).toEqual({ failing: false, consecutiveFailures: 0, failingSince: null, lastError: null });
      expect(logged('outbox relay recovered')).toBe(1);

      const reader = await topicReader(kafka, [Topics.entitlements]);
      try {
        const received = await reader.waitFor(written.length, (m) => written.includes(m.headers.ce_id));
        expect(new Set(received.map((m) => m.headers.ce_id))).toEqual(new Set(written));
        for (const org of orgs) {
          const products = received.filter((m) => m.headers.ce_subject === org).map(productOf);
          expect(dedupe(products)).toEqual(products.filter((p) => p.startsWith('outage-')).sort(byIndex));
        }
      } finally {
        await reader.close();
      }
    } finally {
      await relay.stop();
    }
  });
});

function productOf(m: ReadMessage): string {
  return (JSON.parse(m.message.value!.toString()) as { product: string }).product;
}

function dedupe(values: string[]): string[] {
  return values.filter((value, i) => values.indexOf(value) === i);
}

function byIndex(a: string, b: string): number {
  return Number(a.split('-')[1]) - Number(b.split('-')[1]);
}
