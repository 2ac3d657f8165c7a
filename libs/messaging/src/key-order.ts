/** An outbox row as far as ordering is concerned. */
export interface SequencedRow {
  seq: bigint;
  key: string;
}

/**
 * The rows of a locked batch that can be published without overtaking an older unsent event of
 * the same key, in publishing order.
 *
 * With several relays, SKIP LOCKED hands each one a batch that may miss rows of a key: rows
 * another relay holds, or rows whose publication failed. A row may go out only when every unsent
 * row with the same key and a lower seq is in this very batch, i.e. when it is older than the
 * oldest unsent row of its key that this batch does *not* hold. Everything else waits for a
 * later round, by which time the rows ahead of it are either sent or in the same batch.
 *
 * @param oldestUnsentElsewhere per key, the lowest seq of an unsent row of that key outside this
 * batch; keys with no such row are absent.
 */
export function publishableRows<R extends SequencedRow>(
  batch: readonly R[],
  oldestUnsentElsewhere: ReadonlyMap<string, bigint>,
): R[] {
  return batch
    .filter((row) => {
      const blocker = oldestUnsentElsewhere.get(row.key);
      return blocker === undefined || row.seq < blocker;
    })
    .sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
}
