import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { eventCatalog, type EventPayload, type EventType } from '@offboarding/contracts';
import { type AnyEventEnvelope, joinTransaction, Outbox, type Transaction } from '@offboarding/messaging';
import { counted, EventHandlerRegistry, JobScheduler } from '@offboarding/platform';
import { AuditTrailService } from './audit-trail/audit-trail.service';
import { DataExportService } from './exports/data-export.service';
import { MaskingService } from './masking/masking.service';
import { PurgeService } from './purge/purge.service';
import { CaseCloseReason } from './timeline/retention.entities';
import { TimelineService } from './timeline/timeline.service';

/**
 * The retention service's consumed events and scheduled jobs, in one place. Every other service's
 * event is appended to the organization's audit trail first; the ones that drive the timeline,
 * masking or purge then act, in the same inbox transaction.
 */
@Injectable()
export class RetentionWiring implements OnModuleInit {
  constructor(
    private readonly registry: EventHandlerRegistry,
    private readonly scheduler: JobScheduler,
    private readonly outbox: Outbox,
    private readonly auditTrail: AuditTrailService,
    private readonly timeline: TimelineService,
    private readonly masking: MaskingService,
    private readonly purge: PurgeService,
    private readonly exports: DataExportService,
  ) {}

  onModuleInit(): void {
    const audited = (Object.keys(eventCatalog) as EventType[]).filter((type) => eventCatalog[type].producer !== 'retention');
    for (const type of audited) {
      this.registry.on(type, async (event: AnyEventEnvelope, manager: EntityManager) => {
        await this.auditTrail.record(manager, event);
        await this.react(joinTransaction(manager, this.outbox), event);
      });
    }
    // One batch form for every audited type, so a run of an organization's events (whatever
    // their types) is recorded set-based.
    const recordRun = (events: AnyEventEnvelope[], manager: EntityManager) => this.recordRun(manager, events);
    for (const type of audited) this.registry.onBatch(type, recordRun);
    this.scheduler.register({
      name: 'timeline-tick',
      schedule: '*/15 * * * *',
      description: 'Publishes the requests of milestones falling due, marks overdue unconfirmed ones BLOCKED, moves organizations whose retention ended into the purge queue.',
      run: async ({ now }) => counted({ timelineSteps: await this.timeline.tick(now), dataExportsResumed: await this.exports.resumeStale(now) }),
    });
    this.scheduler.register({
      name: 'purge',
      schedule: '*/10 * * * *',
      description: 'Sends purge requests for approved, unheld, eligible organizations; issues deletion certificates once every service confirmed.',
      run: async ({ now }) => counted({ purgesRequested: await this.purge.requestDuePurges(now), deletionCertificatesIssued: await this.purge.issueCertificates() }),
    });
  }

  /** What the timeline, masking and purge do with an event, beyond recording it. */
  private readonly reactions: { [T in EventType]?: (tx: Transaction, data: EventPayload<T>) => Promise<void> } = {
    'com.offboarding.entitlements.organization_created.v1': (tx, data) => this.timeline.onOrganizationCreated(tx, data),
    'com.offboarding.entitlements.organization_archived.v1': (tx, data) => this.timeline.onOrganizationArchived(tx, data),
    'com.offboarding.entitlements.organization_unarchived.v1': (tx, data) => this.timeline.onWonBack(tx, data.organizationId, CaseCloseReason.UNARCHIVED),
    'com.offboarding.entitlements.entitlement_reactivated.v1': (tx, data) => this.timeline.onWonBack(tx, data.organizationId, CaseCloseReason.REACTIVATED),
    'com.offboarding.entitlements.entitlement_granted.v1': (tx, data) => this.timeline.onEntitlementGranted(tx, data),
    'com.offboarding.entitlements.entitlement_cancelled.v1': (tx, data) => this.timeline.onEntitlementCancelled(tx, data),
    'com.offboarding.entitlements.offboarding_started.v1': (tx, data) => this.timeline.onOffboardingStarted(tx, data),
    'com.offboarding.entitlements.offboarding_cancelled.v1': (tx, data) => this.timeline.onOffboardingCancelled(tx, data),
    'com.offboarding.entitlements.offboarding_entitlements_cancelled.v1': (tx, data) => this.timeline.onOffboardingEntitlementsCancelled(tx, data),
    'com.offboarding.identity.sso_shutdown_completed.v1': (tx, data) => this.timeline.onSsoShutdownCompleted(tx, data),
    'com.offboarding.identity.portal_access_disabled.v1': (tx, data) => this.timeline.onPortalAccessDisabled(tx, data),
    'com.offboarding.entitlements.pii_masked.v1': (tx, data) => this.masking.onMasked(tx, 'entitlements', data),
    'com.offboarding.provisioning.pii_masked.v1': (tx, data) => this.masking.onMasked(tx, 'provisioning', data),
    'com.offboarding.identity.pii_masked.v1': (tx, data) => this.masking.onMasked(tx, 'identity', data),
    'com.offboarding.entitlements.organization_purged.v1': (tx, data) => this.purge.onPurged(tx, 'entitlements', data),
    'com.offboarding.provisioning.organization_purged.v1': (tx, data) => this.purge.onPurged(tx, 'provisioning', data),
    'com.offboarding.identity.organization_purged.v1': (tx, data) => this.purge.onPurged(tx, 'identity', data),
  };

  /**
   * What the one-event handler does for each event in turn, set-based: the events are queued for
   * the trail and written together at the end, or earlier, before a reaction appends retention's
   * own events to the trail (AuditTrailService.record flushes the queue first), so the trail's
   * order is the one-at-a-time order.
   */
  private async recordRun(manager: EntityManager, events: readonly AnyEventEnvelope[]): Promise<void> {
    const tx = joinTransaction(manager, this.outbox);
    try {
      for (const event of events) {
        this.auditTrail.defer(manager, event);
        await this.react(tx, event);
      }
      await this.auditTrail.flushDeferred(manager);
    } finally {
      this.auditTrail.discardDeferred(manager);
    }
  }

  private async react(tx: Transaction, event: AnyEventEnvelope): Promise<void> {
    const reaction = this.reactions[event.type] as ((tx: Transaction, data: unknown) => Promise<void>) | undefined;
    if (reaction) await reaction(tx, event.data);
  }
}
