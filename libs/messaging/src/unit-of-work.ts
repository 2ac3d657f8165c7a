import type { DataSource, EntityManager } from 'typeorm';
import type { EventPayload, EventType } from '@offboarding/contracts';
import type { EventEnvelope } from './cloud-event';
import type { Outbox, PublishOptions } from './outbox';

export interface Transaction {
  manager: EntityManager;
  /** Records an event in this transaction's outbox; it is published only if the transaction commits. */
  publish: <E extends EventType>(
    type: E,
    subject: string,
    data: EventPayload<E>,
    options?: PublishOptions,
  ) => Promise<EventEnvelope<E>>;
}

/** A state change and the events describing it, committed together. */
export class UnitOfWork {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly relay?: { wake(): void },
  ) {}

  async run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    let published = false;
    const result = await this.dataSource.transaction((manager) =>
      work({
        manager,
        publish: async (type, subject, data, options) => {
          const envelope = await this.outbox.add(manager, type, subject, data, options);
          published = true;
          return envelope;
        },
      }),
    );
    // Only now are the rows visible to the relay; waking it earlier would find nothing.
    if (published) this.relay?.wake();
    return result;
  }
}

/**
 * A Transaction over a transaction someone else opened: an event handler's inbox transaction,
 * so its effects, audit entries and events commit with the inbox record.
 */
export function joinTransaction(manager: EntityManager, outbox: Outbox): Transaction {
  return { manager, publish: (type, subject, data, options) => outbox.add(manager, type, subject, data, options) };
}
