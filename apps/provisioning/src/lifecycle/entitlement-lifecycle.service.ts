import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EntitlementClass, EventPayload } from '@offboarding/contracts';
import { Outbox } from '@offboarding/messaging';
import { addDays, Clock } from '@offboarding/platform';
import { AffiliatesService } from '../affiliates/affiliates.service';
import { EducationService } from '../education/education.service';
import { EnvironmentsService } from '../environments/environments.service';
import { FulfilmentsService } from '../fulfilments/fulfilments.service';
import { KnownEntitlementsService, toRef } from '../known-entitlements/known-entitlements.service';
import { LicensesService } from '../licenses/licenses.service';
import { ProvisioningPoliciesService } from '../policies/provisioning-policies.service';
import { ServiceContractsService } from '../service-contracts/service-contracts.service';
import type { ClassResources, EntitlementRef, ResourceCounts } from '../shared/class-resources';

/**
 * Applies an entitlement's lifecycle to the resources its class feeds, and publishes one
 * resource-state event per change. Runs inside the inbox transaction of the event, so every
 * effect commits exactly once with the event's inbox row.
 */
@Injectable()
export class EntitlementLifecycleService {
  private readonly resources: ReadonlyMap<EntitlementClass, ClassResources>;

  constructor(
    private readonly knownEntitlements: KnownEntitlementsService,
    private readonly policies: ProvisioningPoliciesService,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    licenses: LicensesService,
    environments: EnvironmentsService,
    serviceContracts: ServiceContractsService,
    affiliates: AffiliatesService,
    education: EducationService,
    fulfilments: FulfilmentsService,
  ) {
    const all: ClassResources[] = [licenses, environments, serviceContracts, affiliates, education, fulfilments];
    this.resources = new Map(all.map((resources) => [resources.entitlementClass, resources]));
  }

  private resourcesOf(entitlementClass: EntitlementClass): ClassResources {
    const resources = this.resources.get(entitlementClass);
    if (!resources) throw new Error(`no resources are defined for entitlement class ${entitlementClass}`);
    return resources;
  }

  async onGranted(manager: EntityManager, event: EventPayload<'com.offboarding.entitlements.entitlement_granted.v1'>): Promise<void> {
    const now = this.clock.now();
    if (!(await this.knownEntitlements.recordGranted(manager, event, now))) return;
    const entitlement = { entitlementId: event.entitlementId, organizationId: event.organizationId, class: event.class, product: event.product };
    const provisioned = await this.resourcesOf(event.class).provision(manager, entitlement, now);
    await this.outbox.add(manager, 'com.offboarding.provisioning.resources_provisioned.v1', event.organizationId, {
      ...this.subject(entitlement),
      provisioned,
      provisionedAt: now.toISOString(),
    });
  }

  async onSuspended(manager: EntityManager, event: EventPayload<'com.offboarding.entitlements.entitlement_suspended.v1'>): Promise<void> {
    const now = this.clock.now();
    const step = await this.knownEntitlements.step(manager, event, 'suspend', now);
    if (step.kind === 'already-applied') return;
    const entitlement = toRef(step.entitlement);
    const suspended = await this.resourcesOf(entitlement.class).suspend(manager, entitlement, now);
    await this.outbox.add(manager, 'com.offboarding.provisioning.resources_suspended.v1', entitlement.organizationId, {
      ...this.subject(entitlement),
      reason: event.reason,
      suspended,
      suspendedAt: now.toISOString(),
    });
  }

  async onResumed(manager: EntityManager, event: EventPayload<'com.offboarding.entitlements.entitlement_resumed.v1'>): Promise<void> {
    const now = this.clock.now();
    const step = await this.knownEntitlements.step(manager, event, 'resume', now);
    if (step.kind === 'already-applied') return;
    const entitlement = toRef(step.entitlement);
    const restored = await this.resourcesOf(entitlement.class).restore(manager, entitlement, now);
    await this.outbox.add(manager, 'com.offboarding.provisioning.resources_restored.v1', entitlement.organizationId, {
      ...this.subject(entitlement),
      restored,
      restoredAt: now.toISOString(),
    });
  }

  /**
   * Cleans up per the effective ProvisioningPolicy; with `deprovisionOnCancel: false` every
   * resource stays as it is until the organization is purged.
   */
  async onCancelled(manager: EntityManager, event: EventPayload<'com.offboarding.entitlements.entitlement_cancelled.v1'>): Promise<void> {
    const now = this.clock.now();
    const cancelledAt = new Date(event.cancelledAt);
    const step = await this.knownEntitlements.step(manager, event, 'cancel', now, { cancelledAt });
    if (step.kind === 'already-applied') return;
    const entitlement = toRef(step.entitlement);
    const policy = await this.policies.effective(manager, entitlement.organizationId, entitlement.class);
    // Teardown waits for the retention the customer was promised at cancellation (the policy snapshot).
    const teardownDueAt = addDays(cancelledAt, event.policy.dataRetentionDays);
    const deprovisioned = policy.deprovisionOnCancel
      ? await this.resourcesOf(entitlement.class).deprovision(manager, entitlement, { now, teardownDueAt })
      : {};
    await this.publishDeprovisioned(manager, { entitlement, deprovisionOnCancel: policy.deprovisionOnCancel, teardownDueAt }, deprovisioned, now);
  }

  /**
   * `onCancelled` for a run of cancellations, in order, with set-based statements: one locking
   * read and one update of the known entitlements, one policy read per organization and class,
   * and each class's `deprovisionAll` for consecutive entitlements of that class where it has one.
   */
  async onCancelledAll(manager: EntityManager, events: readonly EventPayload<'com.offboarding.entitlements.entitlement_cancelled.v1'>[]): Promise<void> {
    const now = this.clock.now();
    const steps = await this.knownEntitlements.stepAll(
      manager,
      events.map((event) => ({ entitlementId: event.entitlementId, organizationId: event.organizationId, cancelledAt: new Date(event.cancelledAt) })),
      'cancel',
      now,
    );
    const policies = new Map<string, boolean>();
    const items: { entitlement: EntitlementRef; deprovisionOnCancel: boolean; teardownDueAt: Date }[] = [];
    for (const [index, step] of steps.entries()) {
      if (step.kind === 'already-applied') continue;
      const entitlement = toRef(step.entitlement);
      const key = `${entitlement.organizationId}/${entitlement.class}`;
      let deprovisionOnCancel = policies.get(key);
      if (deprovisionOnCancel === undefined) {
        deprovisionOnCancel = (await this.policies.effective(manager, entitlement.organizationId, entitlement.class)).deprovisionOnCancel;
        policies.set(key, deprovisionOnCancel);
      }
      const event = events[index];
      items.push({ entitlement, deprovisionOnCancel, teardownDueAt: addDays(new Date(event.cancelledAt), event.policy.dataRetentionDays) });
    }
    const deprovisioned = (item: (typeof items)[number], counts: ResourceCounts) => this.publishDeprovisioned(manager, item, counts, now);
    for (let start = 0; start < items.length; ) {
      const first = items[start];
      const resources = this.resourcesOf(first.entitlement.class);
      let end = start + 1;
      if (first.deprovisionOnCancel && resources.deprovisionAll) {
        while (end < items.length && items[end].deprovisionOnCancel && items[end].entitlement.class === first.entitlement.class) end += 1;
        const segment = items.slice(start, end);
        await resources.deprovisionAll(
          manager,
          segment.map((item) => ({ entitlement: item.entitlement, context: { now, teardownDueAt: item.teardownDueAt } })),
          (index, counts) => deprovisioned(segment[index], counts),
        );
      } else {
        const counts = first.deprovisionOnCancel ? await resources.deprovision(manager, first.entitlement, { now, teardownDueAt: first.teardownDueAt }) : {};
        await deprovisioned(first, counts);
      }
      start = end;
    }
  }

  private async publishDeprovisioned(
    manager: EntityManager,
    { entitlement, deprovisionOnCancel, teardownDueAt }: { entitlement: EntitlementRef; deprovisionOnCancel: boolean; teardownDueAt: Date },
    deprovisioned: ResourceCounts,
    now: Date,
  ): Promise<void> {
    await this.outbox.add(manager, 'com.offboarding.provisioning.resources_deprovisioned.v1', entitlement.organizationId, {
      ...this.subject(entitlement),
      deprovisionOnCancel,
      deprovisioned,
      teardownDueAt: deprovisionOnCancel && (deprovisioned.environments ?? 0) > 0 ? teardownDueAt.toISOString() : null,
      deprovisionedAt: now.toISOString(),
    });
  }

  async onReactivated(manager: EntityManager, event: EventPayload<'com.offboarding.entitlements.entitlement_reactivated.v1'>): Promise<void> {
    const now = this.clock.now();
    const step = await this.knownEntitlements.step(manager, event, 'reactivate', now);
    if (step.kind === 'already-applied') return;
    const entitlement = toRef(step.entitlement);
    const reprovisioned = await this.resourcesOf(entitlement.class).reprovision(manager, entitlement, now);
    await this.outbox.add(manager, 'com.offboarding.provisioning.resources_reprovisioned.v1', entitlement.organizationId, {
      ...this.subject(entitlement),
      reprovisioned,
      reprovisionedAt: now.toISOString(),
    });
  }

  private subject(entitlement: { organizationId: string; entitlementId: string; class: EntitlementClass }) {
    return { organizationId: entitlement.organizationId, entitlementId: entitlement.entitlementId, class: entitlement.class };
  }
}
