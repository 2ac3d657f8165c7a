import type { DataSource } from 'typeorm';
import { messagingTable } from './sql';

/** How long sent outbox rows and inbox ids are kept, and how much one run deletes at a time. */
export interface MessagingRetention {
  /** Sent outbox rows older than this (by sent_at) go; unsent rows are never touched. */
  outboxDays: number;
  /**
   * Inbox ids older than this (by received_at) go. Must exceed the longest time after which an
   * event can be delivered again: the topics' retention (a consumer group reset re-reads it)
   * and the dead-letter topics' retention (a replay re-feeds them). An id pruned earlier would
   * let a redelivered event be applied twice.
   */
  inboxDays: number;
  /** Rows per DELETE: each is its own short transaction, so the tables stay writable. */
  batchSize: number;
  /** Batches per run and table; what is left waits for the next run. */
  maxBatches: number;
}

export const DEFAULT_MESSAGING_RETENTION: MessagingRetention = { outboxDays: 7, inboxDays: 35, batchSize: 5_000, maxBatches: 200 };

export interface PruneResult {
  outbox: number;
  inbox: number;
}

/**
 * Deletes sent outbox rows and inbox ids past their retention, oldest first, in bounded batches.
 * Ages are measured against the database's clock, the one that stamped sent_at and received_at.
 */
export class MessagingTablePruner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly retention: MessagingRetention = DEFAULT_MESSAGING_RETENTION,
  ) {
    for (const [name, value] of Object.entries(retention)) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive whole number`);
    }
  }

  async prune(): Promise<PruneResult> {
    const outbox = messagingTable(this.dataSource, 'outbox');
    const inbox = messagingTable(this.dataSource, 'inbox');
    return {
      // `sent_at < …` is false for NULL: an unsent row can never match.
      outbox: await this.walk(outbox, 'sent_at', 'seq', '-1', this.retention.outboxDays),
      inbox: await this.walk(inbox, 'received_at', 'event_id', '00000000-0000-0000-0000-000000000000', this.retention.inboxDays),
    };
  }

  /**
   * Deletes the rows older than `days`, oldest first, a batch per statement. Each batch starts
   * after the (time, key) the previous one ended at, so it reads only rows still to delete
   * rather than stepping over the index entries of those already gone (which stay until
   * vacuum): the cost stays proportional to the rows deleted, not to their square.
   */
  private async walk(table: string, time: string, key: string, firstKey: string, days: number): Promise<number> {
    const [{ cutoff }] = await this.dataSource.query<{ cutoff: Date }[]>(`SELECT now() - make_interval(days => $1) AS cutoff`, [days]);
    // Times travel as text, so the microseconds the database keeps are not rounded away.
    let after: { at: string; key: string } = { at: '-infinity', key: firstKey };
    let deleted = 0;
    for (let batch = 0; batch < this.retention.maxBatches; batch += 1) {
      const [result] = await this.dataSource.query<{ count: string; last_at: string | null; last_key: string | null }[]>(
        `WITH batch AS (
           SELECT ctid, ${key} AS key, ${time} AS at FROM ${table}
            WHERE ${time} < $1 AND (${time}, ${key}) > ($2::timestamptz, $3)
            ORDER BY ${time}, ${key}
            LIMIT $4
         ), gone AS (
           -- By physical row address: no index lookup per row. The condition is checked again,
           -- so a row changed meanwhile is never deleted on an outdated reading.
           DELETE FROM ${table} WHERE ctid = ANY (ARRAY (SELECT ctid FROM batch)) AND ${time} < $1 RETURNING 1
         )
         SELECT (SELECT count(*) FROM gone) AS count,
                (SELECT at::text FROM batch ORDER BY at DESC, key DESC LIMIT 1) AS last_at,
                (SELECT key::text FROM batch ORDER BY at DESC, key DESC LIMIT 1) AS last_key`,
        [cutoff, after.at, after.key, this.retention.batchSize],
      );
      const count = Number(result.count);
      deleted += count;
      if (result.last_at === null || result.last_key === null) break;
      after = { at: result.last_at, key: result.last_key };
      if (count < this.retention.batchSize) break;
    }
    return deleted;
  }
}
