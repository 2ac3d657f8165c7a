import type { EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';

const waiting = new WeakMap<QueryRunner, (() => void)[]>();

/** Runs the callbacks of a transaction once its outermost level commits; drops them if it rolls back. */
class AfterCommitSubscriber implements EntitySubscriberInterface {
  afterTransactionCommit({ queryRunner }: TransactionCommitEvent): void {
    if (queryRunner.isTransactionActive) return; // a savepoint was released; the transaction goes on
    const callbacks = waiting.get(queryRunner);
    waiting.delete(queryRunner);
    for (const callback of callbacks ?? []) setImmediate(callback);
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    if (!queryRunner.isTransactionActive) waiting.delete(queryRunner);
  }
}

/**
 * Runs `callback` after the transaction `manager` belongs to has committed, so work it starts
 * (a purge, an export) sees what the transaction wrote; never if the transaction rolls back.
 * Outside a transaction the callback runs on the next turn of the event loop.
 */
export function afterCommit(manager: EntityManager, callback: () => void): void {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    setImmediate(callback);
    return;
  }
  const subscribers = manager.connection.subscribers;
  if (!subscribers.some((subscriber) => subscriber instanceof AfterCommitSubscriber)) subscribers.push(new AfterCommitSubscriber());
  const callbacks = waiting.get(runner) ?? [];
  callbacks.push(callback);
  waiting.set(runner, callbacks);
}
