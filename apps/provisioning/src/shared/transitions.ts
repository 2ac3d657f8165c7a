import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { InvalidTransitionError } from '@offboarding/platform';

/** One allowed status change: from any of `from` to `to`. */
export interface Transition<S extends string> {
  readonly from: readonly S[];
  readonly to: S;
}

/** An aggregate's whole lifecycle: every action and the statuses it may start from. */
export type TransitionTable<S extends string, A extends string> = Readonly<Record<A, Transition<S>>>;

/** The status after `action`, or an INVALID_TRANSITION refusal naming the entity and its status. */
export function nextStatus<S extends string, A extends string>(
  entity: string,
  table: TransitionTable<S, A>,
  current: S,
  action: A,
): S {
  const transition = table[action];
  if (!transition.from.includes(current)) throw new InvalidTransitionError(entity, current, action);
  return transition.to;
}

export function canTransition<S extends string, A extends string>(table: TransitionTable<S, A>, current: S, action: A): boolean {
  return table[action].from.includes(current);
}

export interface BulkTransition<E extends ObjectLiteral> {
  /** SQL condition on column names, e.g. `entitlement_id = :entitlementId`. */
  where: string;
  params: Record<string, unknown>;
  /** Other columns the transition sets (timestamps, reasons). */
  set?: QueryDeepPartialEntity<E>;
}

/**
 * Applies one transition of the table to every matching row whose status allows it, in one
 * statement, and returns how many rows changed. Rows already past the transition are left alone,
 * which keeps the entitlement-driven handlers idempotent.
 */
export async function transitionAll<E extends ObjectLiteral & { status: S }, S extends string, A extends string>(
  manager: EntityManager,
  target: EntityTarget<E>,
  table: TransitionTable<S, A>,
  action: A,
  bulk: BulkTransition<E>,
): Promise<number> {
  const { from, to } = table[action];
  const result = await manager
    .createQueryBuilder()
    .update(target)
    .set({ ...bulk.set, status: to })
    .where(`status IN (:...fromStatuses)`, { fromStatuses: [...from] })
    .andWhere(bulk.where, bulk.params)
    .execute();
  return result.affected ?? 0;
}

/**
 * `transitionAll` that also answers which rows changed (the given columns, by database name), so
 * each change can be announced with an event of its own.
 */
export async function transitionEach<E extends ObjectLiteral & { status: S }, S extends string, A extends string, C extends string>(
  manager: EntityManager,
  target: EntityTarget<E>,
  table: TransitionTable<S, A>,
  action: A,
  bulk: BulkTransition<E>,
  columns: readonly C[],
): Promise<Record<C, string>[]> {
  const { from, to } = table[action];
  const result = await manager
    .createQueryBuilder()
    .update(target)
    .set({ ...bulk.set, status: to })
    .where(`status IN (:...fromStatuses)`, { fromStatuses: [...from] })
    .andWhere(bulk.where, bulk.params)
    // As SQL: TypeORM's array form only takes property names.
    .returning(columns.map((column) => `"${column}"`).join(', '))
    .execute();
  return (result.raw as Record<C, unknown>[]).map((row) => Object.fromEntries(columns.map((column) => [column, String(row[column])])) as Record<C, string>);
}
