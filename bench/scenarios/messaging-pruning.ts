import { randomUUID } from 'node:crypto';
import { MessagingRetention1734400000002, MessagingTables1732000000000, MessagingTablePruner } from '@offboarding/messaging';
import { type BenchContext, check, interleaved, percentile, type RoundResult, type Scenario, timed } from '../harness';

const ROWS = 1_000_000;
const RETENTION = { outboxDays: 7, inboxDays: 35, batchSize: 5_000, maxBatches: 100_000 };

/**
 * The outbox and inbox after a million events each: pruning the sent rows and old inbox ids that
 * are past their retention, while the service keeps writing events and recording received ones.
 * Ours: the prune-tables job's batched deletes. Baseline: one DELETE per table.
 */
export const messagingPruningScenario: Scenario = {
  name: 'messaging pruning',
  describe: (scale) => ({
    ours: `prune-tables over ${Math.round(ROWS * scale)} sent outbox rows and ${Math.round(ROWS * scale)} inbox ids past retention, in batches of ${RETENTION.batchSize}, with a writer running`,
    baseline: 'one DELETE per table (outbox, inbox) with the same writer running',
  }),
  requiresPostgres: 'PGlite has one engine serving one statement at a time: the concurrent writer waits behind every batch, so its latency says nothing about the pruning',
  // Batches trade raw speed for short transactions: no statement holds the tables for seconds,
  // and the service writing meanwhile does not notice. The longest statement is reported too; on
  // a busy machine single batches stretch with everything else.
  target: { min: 0.25, absolute: [{ figure: 'statement p95', max: 250 }, { figure: 'write p95 vs idle', max: 1.5 }] },
  async round(context: BenchContext, index: number): Promise<RoundResult> {
    const total = Math.max(10_000, Math.round(ROWS * context.scale));
    const db = await context.openDatabase('provisioning', { entities: [], migrations: [MessagingTables1732000000000, MessagingRetention1734400000002] });
    const outbox = `"${db.schema}".outbox`;
    const inbox = `"${db.schema}".inbox`;
    try {
      /** A million events' worth: old sent rows and old inbox ids, plus what must stay. */
      const seed = async () => {
        await db.dataSource.query(`TRUNCATE ${outbox}, ${inbox}`);
        await db.dataSource.query(
          `INSERT INTO ${outbox} (id, topic, message_key, type, headers, payload, created_at, sent_at, attempts)
           SELECT gen_random_uuid(), 'offboarding.provisioning.v1', 'org-' || (i % 1000), 'com.offboarding.provisioning.license_issued.v1',
                  '{"ce_type":"com.offboarding.provisioning.license_issued.v1"}', '{"organizationId":"x","licenseId":"y"}',
                  now() - interval '30 days' + make_interval(secs => i), now() - interval '30 days' + make_interval(secs => i), 1
             FROM generate_series(1, ${total}) i`,
        );
        await db.dataSource.query(
          `INSERT INTO ${inbox} (event_id, type, source, received_at)
           SELECT gen_random_uuid(), 'com.offboarding.entitlements.entitlement_granted.v1', '/offboarding/entitlements', now() - interval '60 days' + make_interval(secs => i)
             FROM generate_series(1, ${total}) i`,
        );
        // What must survive: unsent rows however old, sent rows and ids inside their windows.
        await db.dataSource.query(
          `INSERT INTO ${outbox} (id, topic, message_key, type, headers, payload, created_at, sent_at)
           SELECT gen_random_uuid(), 'offboarding.provisioning.v1', 'keep', 'keep', '{}', '{}', now() - interval '90 days', CASE WHEN i % 2 = 0 THEN NULL ELSE now() - interval '1 day' END
             FROM generate_series(1, 1000) i`,
        );
        await db.dataSource.query(
          `INSERT INTO ${inbox} (event_id, type, source, received_at) SELECT gen_random_uuid(), 'keep', 'keep', now() - interval '20 days' FROM generate_series(1, 1000) i`,
        );
        await db.dataSource.query(`ANALYZE ${outbox}`);
        await db.dataSource.query(`ANALYZE ${inbox}`);
      };
      const kept = async () => {
        const [row] = await db.dataSource.query<{ outbox: string; inbox: string; unsent: string }[]>(
          `SELECT (SELECT count(*) FROM ${outbox}) AS outbox, (SELECT count(*) FROM ${inbox}) AS inbox, (SELECT count(*) FROM ${outbox} WHERE sent_at IS NULL) AS unsent`,
        );
        return { outbox: Number(row.outbox), inbox: Number(row.inbox), unsent: Number(row.unsent) };
      };
      // The live service meanwhile: writes an event, records a received id, marks an event sent.
      const writeQuery = db.dataSource.query.bind(db.dataSource);
      let written = 0;
      const write = async () => {
        const started = performance.now();
        const id = randomUUID();
        await writeQuery(
          `INSERT INTO ${outbox} (id, topic, message_key, type, headers, payload) VALUES ($1, 'offboarding.provisioning.v1', 'live', 'live', '{}', '{}')`,
          [id],
        );
        await writeQuery(`INSERT INTO ${inbox} (event_id, type, source) VALUES ($1, 'live', 'live')`, [randomUUID()]);
        await writeQuery(`UPDATE ${outbox} SET sent_at = now(), attempts = attempts + 1 WHERE id = $1`, [id]);
        written += 1;
        return performance.now() - started;
      };
      const writeWhile = async (work: () => Promise<unknown>) => {
        const latencies: number[] = [];
        let running = true;
        const writer = (async () => {
          while (running) latencies.push(await write());
        })();
        try {
          await work();
        } finally {
          running = false;
          await writer;
        }
        return latencies;
      };
      // The writer's latency on the seeded tables just before the pruning starts (same state for both sides).
      const idleWrites = async () => {
        const idle: number[] = [];
        for (let i = 0; i < 200; i += 1) idle.push(await write());
        return idle;
      };
      const sizeBefore = async () =>
        Number((await db.dataSource.query<{ bytes: string }[]>(`SELECT pg_total_relation_size('${outbox}') + pg_total_relation_size('${inbox}') AS bytes`))[0].bytes);

      // Every statement the pruner runs is its own transaction: each is timed (measurement only).
      const statements: number[] = [];
      const originalQuery = db.dataSource.query.bind(db.dataSource) as (sql: string, parameters?: unknown[]) => Promise<unknown>;
      const measuringQuery = ((sql: string, parameters?: unknown[]) =>
        timed(() => originalQuery(sql, parameters)).then(({ result, ms }) => {
          statements.push(ms);
          return result;
        })) as typeof db.dataSource.query;

      const verify = async (label: string, livePrunedBefore: number) => {
        const left = await kept();
        // 1000 kept + whatever the writer added during the run.
        check(left.unsent === 500, `${label}: every unsent outbox row is still there`);
        check(left.outbox === 1000 + livePrunedBefore, `${label}: only sent rows past ${RETENTION.outboxDays} days went`);
        check(left.inbox === 1000 + livePrunedBefore, `${label}: only inbox ids past ${RETENTION.inboxDays} days went`);
      };

      const ours = async () => {
        await seed();
        written = 0;
        const idle = await idleWrites();
        const bytes = await sizeBefore();
        statements.length = 0;
        let latencies: number[] = [];
        const pruner = new MessagingTablePruner(db.dataSource, RETENTION);
        const { ms, result } = await timed(async () => {
          let pruned = { outbox: 0, inbox: 0 };
          latencies = await writeWhile(async () => {
            db.dataSource.query = measuringQuery;
            try {
              pruned = await pruner.prune();
            } finally {
              db.dataSource.query = originalQuery as typeof db.dataSource.query;
            }
          });
          return pruned;
        });
        check(result.outbox === total && result.inbox === total, 'ours pruned exactly the rows past retention');
        await verify('ours', written);
        return {
          throughput: { unit: 'rows/s', value: ((2 * total) / ms) * 1000 },
          'statement p95': { unit: 'ms', value: percentile(statements, 95) },
          'longest transaction': { unit: 'ms', value: Math.max(...statements) },
          'write p95 vs idle': { unit: '×', value: percentile(latencies, 95) / percentile(idle, 95) },
          'tables before': { unit: 'MB', value: bytes / 1024 / 1024 },
        };
      };
      const baseline = async () => {
        await seed();
        written = 0;
        const idle = await idleWrites();
        const bytes = await sizeBefore();
        const taken: number[] = [];
        let latencies: number[] = [];
        const { ms } = await timed(async () => {
          latencies = await writeWhile(async () => {
            taken.push((await timed(() => db.dataSource.query(`DELETE FROM ${outbox} WHERE sent_at < now() - make_interval(days => $1)`, [RETENTION.outboxDays]))).ms);
            taken.push((await timed(() => db.dataSource.query(`DELETE FROM ${inbox} WHERE received_at < now() - make_interval(days => $1)`, [RETENTION.inboxDays]))).ms);
          });
        });
        await verify('baseline', written);
        return {
          throughput: { unit: 'rows/s', value: ((2 * total) / ms) * 1000 },
          'statement p95': { unit: 'ms', value: percentile(taken, 95) },
          'longest transaction': { unit: 'ms', value: Math.max(...taken) },
          'write p95 vs idle': { unit: '×', value: percentile(latencies, 95) / percentile(idle, 95) },
          'tables before': { unit: 'MB', value: bytes / 1024 / 1024 },
        };
      };
      return await interleaved(index, ours, baseline);
    } finally {
      await db.drop();
    }
  },
};
