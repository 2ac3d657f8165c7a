import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { EntitlementStatus, type EventPayload } from '@offboarding/contracts';
import { DomainError, ErrorCode, NotFoundError } from '@offboarding/platform';
import type { EntitlementRef } from '../shared/class-resources';
import { tableOf } from '../shared/sql';
import { KNOWN_ENTITLEMENT_TRANSITIONS, type KnownEntitlementAction } from './known-entitlement-status';
import { KnownEntitlementEntity } from './known-entitlement.entity';

/**
 * Thrown for a lifecycle event about an entitlement this service never saw granted. The consumer
 * retries it (the grant may still be on its way) and then parks it on the dead-letter topic.
 */
export class UnknownEntitlementError extends Error {
  override readonly name = 'UnknownEntitlementError';
  constructor(readonly entitlementId: string) {
    super(`entitlement ${entitlementId} was never granted to this service`);
  }
}

export type LifecycleStep =
  | { kind: 'apply'; entitlement: KnownEntitlementEntity; before: EntitlementStatus }
  /** The entitlement is already where the event takes it: a redelivery under another event id. */
  | { kind: 'already-applied'; entitlement: KnownEntitlementEntity };

export function toRef(entitlement: KnownEntitlementEntity): EntitlementRef {
  return {
    entitlementId: entitlement.entitlementId,
    organizationId: entitlement.organizationId,
    class: entitlement.class,
    product: entitlement.product,
  };
}

/** The entitlements this service has seen, so it knows which lifecycle events it can apply. */
@Injectable()
export class KnownEntitlementsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Records a granted entitlement; false when it was already known. */
  async recordGranted(
    manager: EntityManager,
    event: EventPayload<'com.offboarding.entitlements.entitlement_granted.v1'>,
    now: Date,
  ): Promise<boolean> {
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO ${tableOf(manager, KnownEntitlementEntity)}
         (entitlement_id, organization_id, class, product, status, granted_at, cancelled_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $7)
       ON CONFLICT (entitlement_id) DO NOTHING
       RETURNING entitlement_id`,
      [event.entitlementId, event.organizationId, event.class, event.product, EntitlementStatus.ACTIVE, new Date(event.grantedAt), now],
    );
    return inserted.length > 0;
  }

  /**
   * Locks the entitlement and moves it along its lifecycle. Unknown entitlements, a different
   * organization than the event names, and out-of-order events are refused by throwing, so the
   * consumer dead-letters them instead of applying them to the wrong resources.
   */
  async step(
    manager: EntityManager,
    event: { entitlementId: string; organizationId: string },
    action: KnownEntitlementAction,
    now: Date,
    extra: Partial<Pick<KnownEntitlementEntity, 'cancelledAt'>> = {},
  ): Promise<LifecycleStep> {
    const entitlement = await manager.findOne(KnownEntitlementEntity, {
      where: { entitlementId: event.entitlementId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!entitlement) throw new UnknownEntitlementError(event.entitlementId);
    if (entitlement.organizationId !== event.organizationId) {
      throw new Error(`entitlement ${event.entitlementId} belongs to organization ${entitlement.organizationId}, not ${event.organizationId}`);
    }
    const transition = KNOWN_ENTITLEMENT_TRANSITIONS[action];
    if (entitlement.status === transition.to && !transition.from.includes(entitlement.status)) {
      return { kind: 'already-applied', entitlement };
    }
    if (!transition.from.includes(entitlement.status)) {
      throw new Error(`cannot ${action} entitlement ${entitlement.entitlementId}: it is ${entitlement.status} here`);
    }
    const before = entitlement.status;
    entitlement.status = transition.to;
    entitlement.updatedAt = now;
    if (action === 'cancel') entitlement.cancelledAt = extra.cancelledAt ?? now;
    if (action === 'reactivate') entitlement.cancelledAt = null;
    await manager.update(
      KnownEntitlementEntity,
      { entitlementId: entitlement.entitlementId },
      { status: entitlement.status, updatedAt: entitlement.updatedAt, cancelledAt: entitlement.cancelledAt },
    );
    return { kind: 'apply', entitlement, before };
  }

  /**
   * `step` for several events in order, with one locking read and one update: the result for
   * each event is what `step` would have answered applying them one after another (a second event
   * for the same entitlement sees the first one's change). Refuses by throwing as `step` does.
   */
  async stepAll(
    manager: EntityManager,
    events: readonly { entitlementId: string; organizationId: string; cancelledAt?: Date }[],
    action: KnownEntitlementAction,
    now: Date,
  ): Promise<LifecycleStep[]> {
    const ids = [...new Set(events.map((event) => event.entitlementId))].sort();
    const locked = await manager.find(KnownEntitlementEntity, {
      where: { entitlementId: In(ids) },
      order: { entitlementId: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    const byId = new Map(locked.map((entitlement) => [entitlement.entitlementId, entitlement]));
    const transition = KNOWN_ENTITLEMENT_TRANSITIONS[action];
    const changed = new Map<string, KnownEntitlementEntity>();
    const steps = events.map((event): LifecycleStep => {
      const entitlement = byId.get(event.entitlementId);
      if (!entitlement) throw new UnknownEntitlementError(event.entitlementId);
      if (entitlement.organizationId !== event.organizationId) {
        throw new Error(`entitlement ${event.entitlementId} belongs to organization ${entitlement.organizationId}, not ${event.organizationId}`);
      }
      if (entitlement.status === transition.to && !transition.from.includes(entitlement.status)) {
        return { kind: 'already-applied', entitlement: { ...entitlement } };
      }
      if (!transition.from.includes(entitlement.status)) {
        throw new Error(`cannot ${action} entitlement ${entitlement.entitlementId}: it is ${entitlement.status} here`);
      }
      const before = entitlement.status;
      entitlement.status = transition.to;
      entitlement.updatedAt = now;
      if (action === 'cancel') entitlement.cancelledAt = event.cancelledAt ?? now;
      if (action === 'reactivate') entitlement.cancelledAt = null;
      changed.set(entitlement.entitlementId, entitlement);
      return { kind: 'apply', entitlement: { ...entitlement }, before };
    });
    if (changed.size > 0) {
      const rows = [...changed.values()];
      const values = rows.map((_, i) => `($${i * 3 + 1}::uuid, $${i * 3 + 2}::varchar, $${i * 3 + 3}::timestamptz)`);
      await manager.query(
        `UPDATE ${tableOf(manager, KnownEntitlementEntity)} AS known
            SET status = changed.status, cancelled_at = changed.cancelled_at, updated_at = $${rows.length * 3 + 1}
           FROM (VALUES ${values.join(', ')}) AS changed (entitlement_id, status, cancelled_at)
          WHERE known.entitlement_id = changed.entitlement_id`,
        [...rows.flatMap((row) => [row.entitlementId, row.status, row.cancelledAt]), now],
      );
    }
    return steps;
  }

  /** For customer and admin actions that need a live entitlement of a given class. */
  async requireActive(manager: EntityManager, entitlementId: string, expectedClass: KnownEntitlementEntity['class']): Promise<KnownEntitlementEntity> {
    const entitlement = await manager.findOneBy(KnownEntitlementEntity, { entitlementId });
    if (!entitlement || entitlement.class !== expectedClass) throw new NotFoundError(`${expectedClass} entitlement`, entitlementId);
    if (entitlement.status !== EntitlementStatus.ACTIVE) {
      throw new DomainError(ErrorCode.INVALID_TRANSITION, `entitlement ${entitlementId} is ${entitlement.status}: its resources cannot be changed`, {
        entity: 'entitlement',
        currentStatus: entitlement.status,
      });
    }
    return entitlement;
  }

  findById(entitlementId: string, manager: EntityManager = this.dataSource.manager): Promise<KnownEntitlementEntity | null> {
    return manager.findOneBy(KnownEntitlementEntity, { entitlementId });
  }
}
