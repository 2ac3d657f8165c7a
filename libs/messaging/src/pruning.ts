import type { DataSource } from 'typeorm';
import { affectedRows } from '@offboarding/persistence';
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
      outbox: await this.inBatches(
        `DELETE FROM ${outbox} WHERE seq IN (
           SELECT seq FROM ${outbox} WHERE sent_at < now() - make_interval(days => $1) ORDER BY sent_at LIMIT $2
         )`,
        this.retention.outboxDays,
      ),
      inbox: await this.inBatches(
        `DELETE FROM ${inbox} WHERE event_id IN (
           SELECT event_id FROM ${inbox} WHERE received_at < now() - make_interval(days => $1) ORDER BY received_at LIMIT $2
         )`,
        this.retention.inboxDays,
      ),
    };
  }

  private async inBatches(sql: string, days: number): Promise<number> {
    let deleted = 0;
    for (let batch = 0; batch < this.retention.maxBatches; batch += 1) {
      const count = affectedRows(await this.dataSource.query(sql, [days, this.retention.batchSize]));
      deleted += count;
      if (count < this.retention.batchSize) break;
    }
    return deleted;
  }
}
