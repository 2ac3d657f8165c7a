import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Kafka, Message, Producer } from 'kafkajs';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { deadLetterTopic, eventSource, Topics, type EventPayload } from '@offboarding/contracts';
import { startDevBroker, type DevBroker } from '@offboarding/dev-broker';
import { schemaOf } from '@offboarding/persistence';
import { waitFor } from '@offboarding/testing';
import { toKafkaMessage, type EventEnvelope } from '../cloud-event';
import { replayDeadLetters } from '../dead-letters';
import { EventConsumer } from '../event-consumer';
import { openTestDatabase, recordingLogger, testKafka, topicReader } from './messaging-test-kit';

class CreateLicenses1732000000002 implements MigrationInterface {
  name = 'CreateLicenses1732000000002';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ${schemaOf(q)}.licenses (entitlement_id uuid NOT NULL, product text NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${schemaOf(q)}.licenses`);
  }
}

class DownstreamUnavailable extends Error {}

const GRANTED = 'com.offboarding.entitlements.entitlement_granted.v1';
const CANCELLED = 'com.offboarding.entitlements.entitlement_cancelled.v1';
const ATTEMPTS = 3;

function granted(organizationId: string, product = 'Forms Pro'): EventEnvelope<typeof GRANTED> {
  const data: EventPayload<typeof GRANTED> = {
    organizationId,
    entitlementId: randomUUID(),
    class: 'PLG',
    product,
    grantedAt: new Date().toISOString(),
  };
  return {
    id: randomUUID(),
    type: GRANTED,
    source: eventSource('entitlements'),
    subject: organizationId,
    time: new Date().toISOString(),
    specversion: '1.0',
    data,
  };
}

function cancelled(grant: EventEnvelope<typeof GRANTED>): EventEnvelope<typeof CANCELLED> {
  const { organizationId, entitlementId } = grant.data;
  const now = new Date().toISOString();
  const data: EventPayload<typeof CANCELLED> = {
    organizationId,
    entitlementId,
    class: 'PLG',
    reason: 'SWITCHING_PROVIDER',
    cancelledAt: now,
    cancelledBy: 'system:contract-end-job',
    policy: { portalVisibilityDays: 90, dataRetentionDays: 365, allowReactivation: true, reactivationWindowDays: 90, refundEligible: false, gracePeriodDays: 30 },
    reactivatableUntil: now,
    portalVisibleUntil: now,
    remainingActiveEntitlements: 0,
  };
  return { ...grant, id: randomUUID(), type: CANCELLED, data };
}

describe('EventConsumer (database + dev broker)', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let broker: DevBroker;
  let kafka: Kafka;
  let producer: Producer;
  let consumer: EventConsumer;
  let deadLetters: Awaited<ReturnType<typeof topicReader>>;
  const logger = recordingLogger();
  const calls = new Map<string, number>();
  const failing = new Set<string>();
  const failingOnce = new Set<string>();
  let commits = 0;
  const outcomes: string[] = [];
  const handledInTrace = new Map<string, string | undefined>();
  /** Sizes of the sets the batch form was called with, and the entitlements it must fail on. */
  const batchCalls: number[] = [];
  const batchRefused: string[][] = [];
  const batchFailing = new Set<string>();
  const cancelledOnce = new Map<string, number>();

  const send = (...messages: Message[]) => producer.send({ topic: Topics.entitlements, acks: -1, messages });
  const applied = async (entitlementId: string) =>
    (await db.dataSource.query<unknown[]>(`SELECT 1 FROM "${db.schema}".licenses WHERE entitlement_id = $1`, [entitlementId])).length;
  const waitApplied = (event: EventEnvelope<typeof GRANTED>) =>
    waitFor(async () => (await applied(event.data.entitlementId)) > 0, { timeoutMs: 20_000, description: `${event.data.product} to be applied` });

  beforeAll(async () => {
    // A tracer provider with the async context manager, as every service registers at start.
    new NodeTracerProvider().register();
    [db, broker] = await Promise.all([openTestDatabase('consumer', [CreateLicenses1732000000002]), startDevBroker({ port: 0 })]);
    kafka = testKafka(broker.brokers, logger);
    producer = kafka.producer();
    await producer.connect();
    consumer = new EventConsumer({
      service: 'provisioning',
      kafka,
      dataSource: db.dataSource,
      topics: [Topics.entitlements],
      logger,
      retry: { attempts: ATTEMPTS, initialDelayMs: 50, maxDelayMs: 200 },
      onCommitted: () => (commits += 1),
      observer: { outcome: (type, outcome) => outcomes.push(`${type.split('.')[3]}:${outcome}`) },
      handlers: {
        [GRANTED]: async (event, manager) => {
          const { entitlementId, product } = event.data;
          handledInTrace.set(entitlementId, trace.getActiveSpan()?.spanContext().traceId);
          calls.set(entitlementId, (calls.get(entitlementId) ?? 0) + 1);
          await manager.query(`INSERT INTO "${db.schema}".licenses (entitlement_id, product) VALUES ($1, $2)`, [entitlementId, product]);
          // After the insert, so a failure also proves the handler's writes roll back.
          if (failing.has(entitlementId)) throw new DownstreamUnavailable('licence server unavailable');
          if (failingOnce.delete(entitlementId)) throw new DownstreamUnavailable('licence server busy');
        },
        [CANCELLED]: async (event, manager) => {
          const { entitlementId } = event.data;
          cancelledOnce.set(entitlementId, (cancelledOnce.get(entitlementId) ?? 0) + 1);
          await manager.query(`DELETE FROM "${db.schema}".licenses WHERE entitlement_id = $1`, [entitlementId]);
        },
      },
      batchHandlers: {
        [CANCELLED]: async (events, manager) => {
          batchCalls.push(events.length);
          const ids = events.map((event) => event.data.entitlementId);
          await manager.query(`DELETE FROM "${db.schema}".licenses WHERE entitlement_id = ANY($1::uuid[])`, [ids]);
          if (ids.some((id) => batchFailing.has(id))) {
            batchRefused.push(ids);
            throw new DownstreamUnavailable('licence server refused the batch');
          }
        },
      },
    });
    await consumer.start();
    deadLetters = await topicReader(kafka, [deadLetterTopic('provisioning')]);
  });

  afterAll(async () => {
    await consumer?.stop();
    await deadLetters?.close();
    await producer?.disconnect();
    await db?.drop();
    await broker?.close();
  });

  it('applies an event delivered twice only once, and skips types it has no handler for', async () => {
    const org = randomUUID();
    const event = granted(org, 'twice');
    const marker = granted(org, 'after the duplicate');
    const unhandled: Message = toKafkaMessage({
      ...event,
      id: randomUUID(),
      type: 'com.offboarding.entitlements.organization_created.v1',
      data: { organizationId: org, type: 'CUSTOMER', vendorId: null, createdAt: new Date().toISOString() },
    });
    const unknown: Message = toKafkaMessage({ ...event, id: randomUUID(), type: 'com.offboarding.future.thing.v9' });
    const commitsBefore = commits;
    const outcomesBefore = outcomes.length;

    await send(toKafkaMessage(event), toKafkaMessage(event), unhandled, unknown, toKafkaMessage(marker));
    // Same key, same partition: once the marker is applied, everything before it was handled.
    await waitApplied(marker);

    expect(calls.get(event.data.entitlementId)).toBe(1);
    expect(await applied(event.data.entitlementId)).toBe(1);
    expect(commits - commitsBefore).toBe(2);
    const inbox = await db.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM "${db.schema}".inbox WHERE event_id = $1`, [event.id]);
    expect(inbox[0].n).toBe('1');
    expect(deadLetters.messages.filter((m) => m.headers.ce_subject === org)).toEqual([]);
    expect(outcomes.slice(outcomesBefore)).toEqual(['entitlement_granted:applied', 'entitlement_granted:duplicate', 'entitlement_granted:applied']);
  });

  it('applies a run of events in one transaction, and when one fails applies the others once and retries only it', async () => {
    const org = randomUUID();
    const together = Array.from({ length: 4 }, (_, i) => granted(org, `together ${i}`));
    await send(...together.map((event) => toKafkaMessage(event)));
    await waitApplied(together[3]);
    // received_at defaults to now(), the transaction's start: one value means one transaction.
    const received = await db.dataSource.query<{ n: string }[]>(
      `SELECT count(DISTINCT received_at) AS n FROM "${db.schema}".inbox WHERE event_id = ANY($1::uuid[])`,
      [together.map((event) => event.id)],
    );
    expect(received[0].n).toBe('1');

    const run = Array.from({ length: 5 }, (_, i) => granted(org, `run ${i}`));
    const flaky = run[2];
    failingOnce.add(flaky.data.entitlementId);
    const commitsBefore = commits;
    const outcomesBefore = outcomes.length;
    await send(...run.map((event) => toKafkaMessage(event)));
    await waitApplied(run[4]);

    for (const event of run) expect(await applied(event.data.entitlementId)).toBe(1);
    // Its failed try in the run counts as its first attempt.
    expect(calls.get(flaky.data.entitlementId)).toBe(2);
    expect(commits - commitsBefore).toBe(run.length);
    expect(outcomes.slice(outcomesBefore)).toEqual([
      'entitlement_granted:applied',
      'entitlement_granted:applied',
      'entitlement_granted:retried',
      'entitlement_granted:applied',
      'entitlement_granted:applied',
      'entitlement_granted:applied',
    ]);
    expect(deadLetters.messages.filter((m) => m.headers.ce_subject === org)).toEqual([]);
  });

  it('applies consecutive new events of a type with a batch form in one call of it, each once, in order with the others', async () => {
    const org = randomUUID();
    const grants = Array.from({ length: 6 }, (_, i) => granted(org, `batch ${i}`));
    await send(...grants.map((event) => toKafkaMessage(event)));
    await waitApplied(grants[5]);
    const cancels = grants.slice(0, 4).map(cancelled);
    const outcomesBefore = outcomes.length;
    batchCalls.length = 0;
    // A duplicate inside the set, then a grant (handled one at a time) after it.
    const regrant = granted(org, 'after the batch');
    await send(...cancels.map((event) => toKafkaMessage(event)), toKafkaMessage(cancels[1]), toKafkaMessage(regrant));
    await waitApplied(regrant);

    for (const event of cancels) expect(await applied(event.data.entitlementId)).toBe(0);
    for (const event of grants.slice(4)) expect(await applied(event.data.entitlementId)).toBe(1);
    // The one-event form never ran: the whole set went to the batch form (a run may be split).
    for (const event of cancels) expect(cancelledOnce.get(event.data.entitlementId)).toBeUndefined();
    expect(batchCalls.reduce((sum, size) => sum + size, 0)).toBe(cancels.length);
    expect(outcomes.slice(outcomesBefore).filter((outcome) => outcome.startsWith('entitlement_cancelled'))).toEqual([
      ...cancels.map(() => 'entitlement_cancelled:applied'),
      'entitlement_cancelled:duplicate',
    ]);
    const inbox = await db.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM "${db.schema}".inbox WHERE event_id = ANY($1::uuid[])`, [
      cancels.map((event) => event.id),
    ]);
    expect(inbox[0].n).toBe(String(cancels.length));
  });

  it('falls back to one event at a time when the batch form fails, rolling back what it did', async () => {
    const org = randomUUID();
    const grants = Array.from({ length: 3 }, (_, i) => granted(org, `fallback ${i}`));
    await send(...grants.map((event) => toKafkaMessage(event)));
    await waitApplied(grants[2]);
    const cancels = grants.map(cancelled);
    batchFailing.add(grants[1].data.entitlementId);
    const marker = granted(org, 'after the fallback');
    await send(...cancels.map((event) => toKafkaMessage(event)), toKafkaMessage(marker));
    await waitApplied(marker);

    for (const event of cancels) {
      expect(await applied(event.data.entitlementId)).toBe(0);
      // The batch's deletes were rolled back, so each was applied by the one-event form, once.
      expect(cancelledOnce.get(event.data.entitlementId)).toBe(1);
    }
    expect(batchRefused.some((ids) => ids.includes(grants[1].data.entitlementId))).toBe(true);
    expect(deadLetters.messages.filter((m) => m.headers.ce_subject === org)).toEqual([]);
  });

  it("handles an event inside the producer's trace", async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const event = { ...granted(randomUUID(), 'traced'), traceparent: `00-${traceId}-b7ad6b7169203331-01` };
    await send(toKafkaMessage(event));
    await waitApplied(event);
    expect(handledInTrace.get(event.data.entitlementId)).toBe(traceId);
  });

  it('retries a failing handler, then dead-letters the event with the reason and moves on', async () => {
    const org = randomUUID();
    const doomed = granted(org, 'doomed');
    const next = granted(org, 'next in line');
    failing.add(doomed.data.entitlementId);
    const original = toKafkaMessage(doomed);
    const outcomesBefore = outcomes.length;

    await send(original, toKafkaMessage(next));
    await waitApplied(next);

    expect(calls.get(doomed.data.entitlementId)).toBe(ATTEMPTS);
    expect(await applied(doomed.data.entitlementId)).toBe(0);
    const [letter] = await deadLetters.waitFor(1, (m) => m.headers.ce_id === doomed.id);
    expect(letter.message.key?.toString()).toBe(org);
    expect(letter.message.value?.toString()).toBe(original.value);
    expect(letter.headers).toEqual({
      ...original.headers,
      dlq_error: 'licence server unavailable',
      dlq_error_type: 'DownstreamUnavailable',
      dlq_original_topic: Topics.entitlements,
      dlq_original_partition: expect.stringMatching(/^\d+$/),
      dlq_original_offset: expect.stringMatching(/^\d+$/),
      dlq_attempts: String(ATTEMPTS),
      dlq_failed_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    const retries = logger.entries.filter(
      (e) => e.level === 'warn' && e.msg === 'event handler failed; retrying' && (e.obj as { eventId?: string }).eventId === doomed.id,
    );
    expect(retries).toHaveLength(ATTEMPTS - 1);
    expect(outcomes.slice(outcomesBefore)).toEqual([
      ...Array.from({ length: ATTEMPTS - 1 }, () => 'entitlement_granted:retried'),
      'entitlement_granted:dead_lettered',
      'entitlement_granted:applied',
    ]);
    const deadLettered = logger.entries.find((e) => e.msg === 'event dead-lettered' && (e.obj as { eventId?: string }).eventId === doomed.id);
    expect(deadLettered?.obj).toMatchObject({ organizationId: org, type: doomed.type });
  });

  it('dead-letters a malformed message and an invalid payload at once, without calling the handler', async () => {
    const org = randomUUID();
    const { ce_type: _dropped, ...headers } = toKafkaMessage(granted(org)).headers;
    const malformed: Message = { ...toKafkaMessage(granted(org)), headers };
    const invalid = granted(org, 'invalid');
    const invalidMessage = { ...toKafkaMessage(invalid), value: JSON.stringify({ ...invalid.data, class: 'GOLD' }) };
    const next = granted(org, 'after the broken ones');

    await send(malformed, invalidMessage, toKafkaMessage(next));
    await waitApplied(next);

    const letters = await deadLetters.waitFor(2, (m) => m.headers.ce_subject === org);
    expect(letters.map((m) => [m.headers.dlq_error_type, m.headers.dlq_attempts])).toEqual([
      ['MalformedEventError', '1'],
      ['ZodError', '1'],
    ]);
    expect(letters[0].headers.dlq_error).toMatch(/missing header ce_type/);
    expect(letters[1].headers.dlq_error).toMatch(/class/);
    expect(calls.get(invalid.data.entitlementId)).toBeUndefined();
  });

  it('replays dead letters to their topic, so a fixed handler applies them, and replaying again never multiplies the failures', async () => {
    const before = deadLetters.messages.length;
    const doomed = deadLetters.messages.find((m) => m.headers.dlq_error_type === 'DownstreamUnavailable');
    expect(doomed).toBeDefined();
    const entitlementId = (JSON.parse(doomed!.message.value!.toString()) as { entitlementId: string }).entitlementId;
    failing.delete(entitlementId);

    const source = await topicReader(kafka, [Topics.entitlements]);
    const first = await replayDeadLetters({ kafka, service: 'provisioning', logger, timeoutMs: 30_000 });
    expect(first).toMatchObject({ replayed: before, notMatching: 0, duplicates: 0 });
    try {
      const replayed = await source.waitFor(before, (m) => m.headers.replayed_from_dlq !== undefined);
      expect(replayed.flatMap((m) => Object.keys(m.headers).filter((name) => name.startsWith('dlq_')))).toEqual([]);
      const fixed = replayed.find((m) => m.headers.ce_id === doomed!.headers.ce_id);
      expect(fixed!.message.key?.toString()).toBe(doomed!.message.key?.toString());
      expect(fixed!.message.value?.toString()).toBe(doomed!.message.value?.toString());
      expect(fixed!.headers.replay_count).toBe('1');
    } finally {
      await source.close();
    }
    await waitFor(async () => (await applied(entitlementId)) > 0, { timeoutMs: 20_000, description: 'the replayed event to be applied' });
    expect(calls.get(entitlementId)).toBe(ATTEMPTS + 1);

    // The malformed and invalid letters fail again: one new letter each, marked as a replay. Two
    // more replays later the pending letters are still exactly the real failures, and each
    // replay added one letter per failure that is still failing.
    const failures = before - 1;
    for (let round = 1; round <= 2; round += 1) {
      await deadLetters.waitFor(before + round * failures);
      expect(deadLetters.messages.slice(before + (round - 1) * failures).every((m) => m.headers.replay_count === String(round))).toBe(true);
      const pending = await replayDeadLetters({ kafka, service: 'provisioning', logger, mode: 'dry-run', timeoutMs: 30_000 });
      expect(pending.letters).toHaveLength(failures);
      expect(pending.letters.every((letter) => letter.replays === round)).toBe(true);
      expect(await replayDeadLetters({ kafka, service: 'provisioning', logger, timeoutMs: 30_000 })).toMatchObject({ replayed: failures });
    }
    await deadLetters.waitFor(before + 3 * failures);
    expect(deadLetters.messages).toHaveLength(before + 3 * failures);
    expect(await applied(entitlementId)).toBe(1);
  });
});
