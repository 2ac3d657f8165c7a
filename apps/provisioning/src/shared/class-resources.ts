import type { EntityManager } from 'typeorm';
import type { EntitlementClass } from '@offboarding/contracts';

/** Resource types as counted in the resource-state events (`resources_suspended` and the others). */
export type ResourceType =
  | 'licenses'
  | 'siteActivations'
  | 'environments'
  | 'services'
  | 'contracts'
  | 'serviceRequests'
  | 'creditBalances'
  | 'campaigns'
  | 'trackingLinks'
  | 'partnerRelationships'
  | 'courseSeats'
  | 'enrollments'
  | 'fulfilments';

export type ResourceCounts = Partial<Record<ResourceType, number>>;

/** The entitlement as this service knows it. */
export interface EntitlementRef {
  entitlementId: string;
  organizationId: string;
  class: EntitlementClass;
  product: string;
}

export interface DeprovisionContext {
  now: Date;
  /** When deprovisioned environments may be torn down (cancellation + retention days). */
  teardownDueAt: Date;
}

/**
 * What one entitlement class feeds, driven by the entitlement's lifecycle. Every method runs in
 * the transaction that records the event in the inbox, must be safe to call again for the same
 * entitlement (it only touches rows whose status allows the change), and returns what it changed.
 */
export interface ClassResources {
  readonly entitlementClass: EntitlementClass;
  provision(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts>;
  suspend(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts>;
  restore(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts>;
  deprovision(manager: EntityManager, entitlement: EntitlementRef, context: DeprovisionContext): Promise<ResourceCounts>;
  /**
   * Optional set-based `deprovision` of several entitlements of this class, with the same effect
   * and the same events in the same order as calling it for each in turn: for each entitlement, in
   * order, the resource events are added to the outbox and then `each` is awaited with its counts
   * (the caller adds its own event for the entitlement there).
   */
  deprovisionAll?(
    manager: EntityManager,
    items: readonly { entitlement: EntitlementRef; context: DeprovisionContext }[],
    each: (index: number, counts: ResourceCounts) => Promise<void>,
  ): Promise<void>;
  reprovision(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts>;
}
