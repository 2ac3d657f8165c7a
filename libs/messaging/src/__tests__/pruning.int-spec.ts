import { randomUUID } from 'node:crypto';
import { MessagingRetention1734400000002 } from '../messaging-retention.migration';
import { MessagingTablePruner } from '../pruning';
import { openTestDatabase } from './messaging-test-kit';

// Pruning keeps the outbox and inbox bounded without ever losing an event or a duplicate check:
// an unsent row stays however old it is, and an inbox id stays while it is inside the window.
describe('pruning the outbox and inbox', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  const table = (name: string) => `"${db.schema}".${name}`;

  beforeAll(async () => {
    db = await openTestDatabase('pruning', [MessagingRetention1734400000002]);
  });
  afterAll(() => db?.drop());

  const outboxRow = async (label: string, createdDaysAgo: number, sentDaysAgo: number | null) => {
    await db.dataSource.query(
      `INSERT INTO ${table('outbox')} (id, topic, message_key, type, headers, payload, created_at, sent_at)
       VALUES ($1, 'offboarding.entitlements.v1', $2, 'test', '{}', '{}', now() - make_interval(days => $3),
               CASE WHEN $4::int IS NULL THEN NULL ELSE now() - make_interval(days => $4::int) END)`,
      [randomUUID(), label, createdDaysAgo, sentDaysAgo],
    );
  };
  const inboxRow = async (receivedDaysAgo: number) => {
    const id = randomUUID();
    await db.dataSource.query(`INSERT INTO ${table('inbox')} (event_id, type, source, received_at) VALUES ($1, 'test', 'test', now() - make_interval(days => $2))`, [
      id,
      receivedDaysAgo,
    ]);
    return id;
  };

  it('removes sent rows and inbox ids past their retention in bounded batches, and nothing else', async () => {
    await outboxRow('unsent-ancient', 400, null);
    await outboxRow('unsent-new', 0, null);
    for (let i = 0; i < 7; i += 1) await outboxRow(`sent-old-${i}`, 9, 8);
    await outboxRow('sent-inside-window', 7, 6);
    await outboxRow('sent-just-now', 0, 0);
    const old = await Promise.all(Array.from({ length: 5 }, () => inboxRow(36)));
    const inside = [await inboxRow(34), await inboxRow(1), await inboxRow(0)];

    const pruner = new MessagingTablePruner(db.dataSource, { outboxDays: 7, inboxDays: 35, batchSize: 3, maxBatches: 100 });
    expect(await pruner.prune()).toEqual({ outbox: 7, inbox: 5 });
    const outboxLeft = await db.dataSource.query<{ message_key: string }[]>(`SELECT message_key FROM ${table('outbox')} ORDER BY message_key`);
    expect(outboxLeft.map((row) => row.message_key)).toEqual(['sent-inside-window', 'sent-just-now', 'unsent-ancient', 'unsent-new']);
    const inboxLeft = await db.dataSource.query<{ event_id: string }[]>(`SELECT event_id FROM ${table('inbox')}`);
    expect(new Set(inboxLeft.map((row) => row.event_id))).toEqual(new Set(inside));
    expect(inboxLeft.some((row) => (old as string[]).includes(row.event_id))).toBe(false);

    // Nothing more to do: a second run deletes nothing.
    expect(await pruner.prune()).toEqual({ outbox: 0, inbox: 0 });
  });

  it('stops after maxBatches per run and leaves the rest for the next run', async () => {
    for (let i = 0; i < 10; i += 1) await outboxRow(`batch-${i}`, 30, 30);
    const pruner = new MessagingTablePruner(db.dataSource, { outboxDays: 7, inboxDays: 35, batchSize: 2, maxBatches: 3 });
    expect((await pruner.prune()).outbox).toBe(6);
    expect((await pruner.prune()).outbox).toBe(4);
  });

  it('walks past rows sharing one timestamp across batch boundaries, missing none', async () => {
    await db.dataSource.query(
      `INSERT INTO ${table('outbox')} (id, topic, message_key, type, headers, payload, created_at, sent_at)
       SELECT gen_random_uuid(), 't', 'same-instant', 'test', '{}', '{}', now() - interval '9 days', now() - interval '9 days' FROM generate_series(1, 10)`,
    );
    await db.dataSource.query(
      `INSERT INTO ${table('inbox')} (event_id, type, source, received_at) SELECT gen_random_uuid(), 'test', 'test', now() - interval '40 days' FROM generate_series(1, 10)`,
    );
    const pruner = new MessagingTablePruner(db.dataSource, { outboxDays: 7, inboxDays: 35, batchSize: 3, maxBatches: 100 });
    expect(await pruner.prune()).toEqual({ outbox: 10, inbox: 10 });
  });

  it('refuses settings that would not bound anything', () => {
    expect(() => new MessagingTablePruner(db.dataSource, { outboxDays: 0, inboxDays: 35, batchSize: 10, maxBatches: 1 })).toThrow(/outboxDays/);
  });
});
