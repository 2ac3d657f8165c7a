import type { EntityManager } from 'typeorm';
import { messagingTable } from './sql';

type InboxEntry = { id: string; type: string; source: string };

/**
 * Records that this service received an event, in the transaction that applies it. Returns false
 * when it was already recorded: a redelivery, a replay or a producer's duplicate, which must not
 * be applied twice. Concurrent deliveries of one event serialize on the primary key.
 */
export async function recordInInbox(manager: EntityManager, event: InboxEntry): Promise<boolean> {
  return (await recordAllInInbox(manager, [event])).has(event.id);
}

/**
 * `recordInInbox` for several events in one statement: the ids of those recorded now, i.e. the
 * ones to apply, as the events spell them. An id that appears twice is recorded (and returned) once.
 */
export async function recordAllInInbox(manager: EntityManager, events: readonly InboxEntry[]): Promise<Set<string>> {
  // PostgreSQL answers with the canonical (lower-case) spelling of each uuid.
  const distinct = new Map(events.map((event) => [event.id.toLowerCase(), event]));
  const inserted = await manager.query<{ event_id: string }[]>(
    `INSERT INTO ${messagingTable(manager.connection, 'inbox')} (event_id, type, source)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])
     ON CONFLICT (event_id) DO NOTHING
     RETURNING event_id`,
    [[...distinct.keys()], [...distinct.values()].map((event) => event.type), [...distinct.values()].map((event) => event.source)],
  );
  return new Set(inserted.map((row) => distinct.get(row.event_id)!.id));
}
