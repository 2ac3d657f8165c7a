import type { EntityManager } from 'typeorm';
import { messagingTable } from './sql';

/**
 * Records that this service received an event, in the transaction that applies it. Returns false
 * when it was already recorded: a redelivery, a replay or a producer's duplicate, which must not
 * be applied twice. Concurrent deliveries of one event serialize on the primary key.
 */
export async function recordInInbox(
  manager: EntityManager,
  event: { id: string; type: string; source: string },
): Promise<boolean> {
  const inserted = await manager.query<{ event_id: string }[]>(
    `INSERT INTO ${messagingTable(manager.connection, 'inbox')} (event_id, type, source)
     VALUES ($1, $2, $3)
     ON CONFLICT (event_id) DO NOTHING
     RETURNING event_id`,
    [event.id, event.type, event.source],
  );
  return inserted.length > 0;
}
