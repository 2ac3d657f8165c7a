import type { DataSource, EntityManager } from 'typeorm';
import type { EventPayload, EventType } from '@offboarding/contracts';
import type { EventEnvelope } from './cloud-event';
import { decodeOutcome, encodeOutcome, type IdempotencyKeys, type IdempotencyPolicy, markIdempotentReplay, nextIdempotentStep, type RecordedOutcome } from './idempotency';
import { discardOutboxRows, flushOutboxRows, type Outbox, type PublishOptions } from './outbox';

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

export interface UnitOfWorkOptions {
  /** Honour idempotency keys (see runIdempotent); without it every run executes. */
  idempotency?: { policy: IdempotencyPolicy; keys: IdempotencyKeys };
}

/** How a keyed unit of work ended: its outcome (recorded now or earlier), or a key used for other input. */
type KeyedRun = { outcome: RecordedOutcome; replayed: boolean } | { reused: string };

/** A state change and the events describing it, committed together. */
export class UnitOfWork {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly relay?: { wake(): void },
    private readonly options: UnitOfWorkOptions = {},
  ) {}

  /**
   * Runs `work` in one transaction with an outbox. Inside a mutation sent with an idempotency
   * key, the transaction first claims the key: when the key already holds this unit of work's
   * outcome, that outcome is answered and `work` does not run; otherwise the outcome (the result,
   * or the domain's refusal, whose changes are rolled back) is recorded in the same transaction.
   */
  async run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const keyed = this.options.idempotency ? nextIdempotentStep() : null;
    if (!keyed || !this.options.idempotency) return this.execute(work);
    const { policy, keys } = this.options.idempotency;
    const { request, step } = keyed;
    const run = await this.execute<KeyedRun>(async (tx) => {
      // The first statement, so a concurrent request with this key waits before touching anything.
      const held = await keys.claim(tx.manager, request, policy.ttlMs);
      if (held.fingerprint !== request.fingerprint) return { reused: held.operation };
      const recorded = held.outcomes[step];
      if (recorded) return { outcome: recorded, replayed: true };
      const outcome = await this.executeRecording(tx, work, policy);
      const outcomes = [...held.outcomes];
      outcomes[step] = outcome;
      await keys.record(tx.manager, request, outcomes);
      return { outcome, replayed: false };
    });
    if ('reused' in run) throw policy.reused(request, run.reused);
    if (run.replayed) {
      markIdempotentReplay();
      policy.replayed?.(request, step);
    }
    // The first answer is the recorded one too, so a retry answers exactly what this run answered.
    if ('error' in run.outcome) throw policy.revive(run.outcome.error);
    return decodeOutcome(encodeOutcome(run.outcome.result)) as T;
  }

  /** Runs the work; a refusal of the domain becomes the outcome, its changes rolled back. */
  private async executeRecording<T>(tx: Transaction, work: (tx: Transaction) => Promise<T>, policy: IdempotencyPolicy): Promise<RecordedOutcome> {
    await flushOutboxRows(tx.manager);
    await tx.manager.query('SAVEPOINT idempotent_work');
    try {
      return { result: await work(tx) };
    } catch (error) {
      const refusal = policy.recordable(error);
      if (!refusal) throw error;
      await tx.manager.query('ROLLBACK TO SAVEPOINT idempotent_work');
      discardOutboxRows(tx.manager);
      return { error: refusal };
    }
  }

  private async execute<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
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
