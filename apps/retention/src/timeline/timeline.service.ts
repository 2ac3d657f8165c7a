import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager, In } from 'typeorm';
import { DEFAULT_CANCELLATION_POLICY, type CancellationPolicySnapshot, type EventPayload, type OrganizationType } from '@offboarding/contracts';
import { type Transaction, UnitOfWork } from '@offboarding/messaging';
import { Clock, dayOf, DomainError, ErrorCode, InvalidInputError, LOGGER, NotFoundError } from '@offboarding/platform';
import { MaskingService } from '../masking/masking.service';
import { activeHoldFor } from '../purge/legal-holds';
import { RETENTION_CONFIG, type RetentionConfig } from '../shared/retention-config';
import { RetentionJournal } from '../shared/retention-journal';
import { ACTIVE_CASE_STATUSES, CaseAction, CaseStatus, nextCaseStatus } from './case-status';
import { MilestoneProgress, SETTLED } from './milestones';
import { effectivePolicy, POLICY_FIELDS, type CasePolicy, type OffboardingPolicyValues } from './offboarding-policy';
import {
  CaseCloseReason,
  CaseOrigin,
  KnownOrganizationEntity,
  MilestoneEntity,
  MilestoneNoticeEntity,
  OffboardingPolicyEntity,
  RetentionCaseEntity,
} from './retention.entities';
import { computeTimeline, type ComputedTimeline, Milestone, MILESTONES, MilestoneStatus, NOTICED_MILESTONES } from './timeline';

export const TIMELINE_ACTOR = 'system:timeline-tick';
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OPEN_OR_QUEUED: CaseStatus[] = [CaseStatus.OPEN, CaseStatus.PURGE_QUEUED];
const DAY_MS = 86_400_000;

export interface OpenCaseCommand {
  organizationId: string;
  origin: CaseOrigin;
  sourceCaseId: string | null;
  organizationType: OrganizationType;
  dayZero: string;
  cancellation: CancellationPolicySnapshot;
  entitlementsAlreadyCancelled: boolean;
  /** For a vendor: the partners offboarded with it. */
  partnerOrganizationIds?: string[];
  /** For a partner offboarded with its vendor: the vendor and its offboarding case. */
  vendor?: { organizationId: string; sourceCaseId: string } | null;
}

export interface SetPolicyCommand extends Partial<OffboardingPolicyValues> {
  organizationId: string;
  actor: string;
}

/**
 * The retention case and its timeline (SPEC §3.3): opened from entitlements' events, advanced by
 * the timeline-tick job, completed by the owning services' confirmations, closed on win-back.
 */
@Injectable()
export class TimelineService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly journal: RetentionJournal,
    private readonly masking: MaskingService,
    private readonly progress: MilestoneProgress,
    private readonly clock: Clock,
    @Inject(RETENTION_CONFIG) private readonly config: RetentionConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  // ---- reading ----

  async latestCase(organizationId: string, manager: EntityManager = this.dataSource.manager): Promise<RetentionCaseEntity | null> {
    if (!UUID.test(organizationId)) return null;
    return manager.findOne(RetentionCaseEntity, { where: { organizationId }, order: { openedAt: 'DESC', id: 'DESC' } });
  }

  async milestones(caseId: string): Promise<MilestoneEntity[]> {
    const rows = await this.dataSource.getRepository(MilestoneEntity).findBy({ caseId });
    return rows.sort((a, b) => MILESTONES.indexOf(a.milestone) - MILESTONES.indexOf(b.milestone));
  }

  /** Every date of the timeline an offboarding starting on `dayZero` would get, before anything starts. */
  async preview(organizationId: string, dayZero: string): Promise<{ organizationType: OrganizationType; timeline: ComputedTimeline; policy: CasePolicy }> {
    assertDay('dayZero', dayZero);
    const known = UUID.test(organizationId) ? await this.dataSource.getRepository(KnownOrganizationEntity).findOneBy({ organizationId }) : null;
    if (!known) throw new NotFoundError('organization', organizationId);
    const override = await this.dataSource.getRepository(OffboardingPolicyEntity).findOneBy({ organizationId });
    // The entitlements service owns the cancellation policy; until offboarding starts and its
    // snapshot arrives, the preview assumes the SPEC defaults for the periods it derives from it.
    const policy: CasePolicy = { offboarding: effectivePolicy(known.type, override), cancellation: DEFAULT_CANCELLATION_POLICY };
    const timeline = computeTimeline({ organizationType: known.type, dayZero, policy, archivedAt: known.archivedAt, retainedUntil: null, exportWindowExtendedUntil: null });
    return { organizationType: known.type, timeline, policy };
  }

  async policyOf(organizationId: string): Promise<{ type: OrganizationType | null; override: OffboardingPolicyEntity | null }> {
    if (!UUID.test(organizationId)) return { type: null, override: null };
    const known = await this.dataSource.getRepository(KnownOrganizationEntity).findOneBy({ organizationId });
    const override = await this.dataSource.getRepository(OffboardingPolicyEntity).findOneBy({ organizationId });
    return { type: known?.type ?? null, override };
  }

  // ---- the organization's OffboardingPolicy ----

  /** Sets the organization's overrides (null: back to the type's default); an open case follows. */
  async setPolicy(command: SetPolicyCommand): Promise<OffboardingPolicyValues> {
    for (const field of POLICY_FIELDS) {
      const value = command[field];
      if (value !== undefined && value !== null && (!Number.isInteger(value) || value < 0 || value > 3650)) {
        throw new InvalidInputError(field, 'must be a whole number of days from 0 to 3650, or null for the default');
      }
    }
    return this.unitOfWork.run(async (tx) => {
      const known = await tx.manager.findOneBy(KnownOrganizationEntity, { organizationId: command.organizationId });
      if (!known) throw new NotFoundError('organization', command.organizationId);
      const now = this.clock.now();
      const existing = await tx.manager.findOneBy(OffboardingPolicyEntity, { organizationId: known.organizationId });
      const row: OffboardingPolicyEntity = {
        organizationId: known.organizationId,
        exportWindowDays: null,
        ssoShutdownDays: null,
        piiMaskingDays: null,
        portalHiddenDays: null,
        finalConfirmationDays: null,
        retentionDays: null,
        ...(existing ?? {}),
        updatedBy: command.actor,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      for (const field of POLICY_FIELDS) if (command[field] !== undefined) row[field] = command[field];
      await tx.manager.save(OffboardingPolicyEntity, row);
      const effective = effectivePolicy(known.type, row);
      const active = await this.lockActiveCase(tx.manager, known.organizationId);
      // A partner offboarded with its vendor keeps the vendor's timeline; the vendor's partners follow it.
      if (active && active.status === CaseStatus.OPEN && active.vendorSourceCaseId === null) {
        active.policy = { ...active.policy, offboarding: effective };
        await this.recompute(tx.manager, active, now);
        await this.partnersFollow(tx.manager, active, now);
      }
      await this.journal.action(tx, {
        organizationId: known.organizationId,
        actor: command.actor,
        action: 'offboarding_policy.set',
        subjectType: 'organization',
        subjectId: known.organizationId,
      });
      return effective;
    });
  }

  // ---- reactions to other services' events (inbox transaction) ----

  async onOrganizationCreated(tx: Transaction, data: EventPayload<'com.offboarding.entitlements.organization_created.v1'>): Promise<void> {
    await tx.manager
      .createQueryBuilder()
      .insert()
      .into(KnownOrganizationEntity)
      .values({ organizationId: data.organizationId, type: data.type, vendorId: data.vendorId, createdAt: new Date(data.createdAt), archivedAt: null, updatedAt: this.clock.now() })
      .orIgnore()
      .execute();
  }

  async onOrganizationArchived(tx: Transaction, data: EventPayload<'com.offboarding.entitlements.organization_archived.v1'>): Promise<void> {
    const archivedAt = new Date(data.archivedAt);
    await tx.manager.update(KnownOrganizationEntity, { organizationId: data.organizationId }, { archivedAt, updatedAt: this.clock.now() });
    const active = await this.lockActiveCase(tx.manager, data.organizationId);
    if (!active || active.archivedAt !== null) return;
    active.archivedAt = archivedAt;
    await this.recompute(tx.manager, active, this.clock.now());
  }

  async onOffboardingStarted(tx: Transaction, data: EventPayload<'com.offboarding.entitlements.offboarding_started.v1'>): Promise<void> {
    if (await tx.manager.findOneBy(RetentionCaseEntity, { sourceCaseId: data.caseId })) return;
    const active = await this.lockActiveCase(tx.manager, data.organizationId);
    const followsVendor = data.vendorCaseId !== null && data.vendorId !== null;
    let alreadyCancelled = false;
    if (active) {
      // A case of its own gives way to the vendor's timeline (the partner's own offboarding was superseded).
      const replaceable = OPEN_OR_QUEUED.includes(active.status) && (active.origin === CaseOrigin.CANCELLATION || followsVendor);
      if (!replaceable) {
        this.logger.warn({ organizationId: data.organizationId, caseId: active.id }, 'offboarding started while a retention case governs the organization: kept the existing case');
        return;
      }
      const milestone = await tx.manager.findOneBy(MilestoneEntity, { caseId: active.id, milestone: Milestone.ENTITLEMENTS_CANCELLED });
      alreadyCancelled = active.origin === CaseOrigin.CANCELLATION || milestone?.status === MilestoneStatus.DONE;
      await this.closeCase(tx, active, CaseCloseReason.SUPERSEDED);
    }
    await this.openCase(tx, {
      organizationId: data.organizationId,
      origin: CaseOrigin.OFFBOARDING,
      sourceCaseId: data.caseId,
      organizationType: data.organizationType,
      dayZero: data.dayZero,
      cancellation: data.policy,
      entitlementsAlreadyCancelled: alreadyCancelled,
      partnerOrganizationIds: data.partnerOrganizationIds,
      vendor: followsVendor ? { organizationId: data.vendorId!, sourceCaseId: data.vendorCaseId! } : null,
    });
  }

  /** Day 0 came: the entitlements service cancelled what was left (maybe nothing) and counted it. */
  async onOffboardingEntitlementsCancelled(tx: Transaction, data: EventPayload<'com.offboarding.entitlements.offboarding_entitlements_cancelled.v1'>): Promise<void> {
    const retentionCase = await tx.manager.findOneBy(RetentionCaseEntity, { sourceCaseId: data.caseId, status: In([...ACTIVE_CASE_STATUSES]) });
    if (!retentionCase) return;
    const milestone = await tx.manager.findOne(MilestoneEntity, { where: { caseId: retentionCase.id, milestone: Milestone.ENTITLEMENTS_CANCELLED }, lock: { mode: 'pessimistic_write' } });
    if (!milestone) return;
    milestone.confirmations = { ...milestone.confirmations, entitlements: { at: data.cancelledAt, counts: { entitlementsCancelled: data.cancelledEntitlements } } };
    milestone.updatedAt = this.clock.now();
    await tx.manager.save(MilestoneEntity, milestone);
    await this.progress.settle(tx, milestone, this.clock.now());
  }

  async onOffboardingCancelled(tx: Transaction, data: EventPayload<'com.offboarding.entitlements.offboarding_cancelled.v1'>): Promise<void> {
    const retentionCase = await tx.manager.findOne(RetentionCaseEntity, { where: { sourceCaseId: data.caseId }, lock: { mode: 'pessimistic_write' } });
    if (retentionCase && OPEN_OR_QUEUED.includes(retentionCase.status)) await this.closeCase(tx, retentionCase, CaseCloseReason.OFFBOARDING_CANCELLED);
  }

  /** The organization's last entitlement cancelled: a case opens (or the offboarding case's day-0 milestone is done). */
  async onEntitlementCancelled(tx: Transaction, data: EventPayload<'com.offboarding.entitlements.entitlement_cancelled.v1'>): Promise<void> {
    if (data.remainingActiveEntitlements > 0) return;
    const active = await this.lockActiveCase(tx.manager, data.organizationId);
    if (active) {
      const milestone = await tx.manager.findOne(MilestoneEntity, { where: { caseId: active.id, milestone: Milestone.ENTITLEMENTS_CANCELLED }, lock: { mode: 'pessimistic_write' } });
      if (milestone) await this.progress.settle(tx, milestone, this.clock.now());
      return;
    }
    const known = await tx.manager.findOneBy(KnownOrganizationEntity, { organizationId: data.organizationId });
    await this.openCase(tx, {
      organizationId: data.organizationId,
      origin: CaseOrigin.CANCELLATION,
      sourceCaseId: null,
      organizationType: known?.type ?? 'CUSTOMER',
      dayZero: dayOf(new Date(data.cancelledAt)),
      cancellation: data.policy,
      entitlementsAlreadyCancelled: true,
    });
  }

  async onEntitlementGranted(tx: Transaction, data: EventPayload<'com.offboarding.entitlements.entitlement_granted.v1'>): Promise<void> {
    const active = await this.lockActiveCase(tx.manager, data.organizationId);
    // A customer buying again is no longer leaving; an offboarding case is only ended by its own events.
    if (active && active.origin === CaseOrigin.CANCELLATION && OPEN_OR_QUEUED.includes(active.status)) {
      await this.closeCase(tx, active, CaseCloseReason.NEW_ENTITLEMENT);
    }
  }

  async onWonBack(tx: Transaction, organizationId: string, reason: CaseCloseReason): Promise<void> {
    if (reason === CaseCloseReason.UNARCHIVED) {
      await tx.manager.update(KnownOrganizationEntity, { organizationId }, { archivedAt: null, updatedAt: this.clock.now() });
    }
    const active = await this.lockActiveCase(tx.manager, organizationId);
    if (!active) return;
    if (!OPEN_OR_QUEUED.includes(active.status)) {
      this.logger.error({ organizationId, caseId: active.id, status: active.status }, 'organization won back while its purge runs: the case stays');
      return;
    }
    await this.closeCase(tx, active, reason);
  }

  async onSsoShutdownCompleted(tx: Transaction, data: EventPayload<'com.offboarding.identity.sso_shutdown_completed.v1'>): Promise<void> {
    const counts = { deactivatedUsers: data.deactivatedUsers, deletedConnections: data.deletedConnections, revokedSessions: data.revokedSessions };
    const milestone = await this.confirmRequest(tx, data.requestId, Milestone.SSO_SHUTDOWN, 'identity', data.completedAt, counts);
    // Access has ended: masking, if due and waiting for exactly this, goes out now rather than at the next tick.
    if (milestone) await this.requestMaskingIfReady(tx, milestone.caseId, this.clock.now());
  }

  async onPortalAccessDisabled(tx: Transaction, data: EventPayload<'com.offboarding.identity.portal_access_disabled.v1'>): Promise<void> {
    // Disabled for another reason (an archive): not the answer to our request.
    if (data.requestId === null) return;
    await this.confirmRequest(tx, data.requestId, Milestone.PORTAL_HIDDEN, 'identity', data.disabledAt);
  }

  private async confirmRequest(tx: Transaction, requestId: string, kind: Milestone, service: string, at: string, counts?: Record<string, number>): Promise<MilestoneEntity | null> {
    const milestone = await tx.manager.findOne(MilestoneEntity, { where: { requestId }, lock: { mode: 'pessimistic_write' } });
    if (!milestone || milestone.milestone !== kind) {
      this.logger.warn({ requestId, milestone: kind }, 'confirmation of an unknown request: ignored');
      return null;
    }
    milestone.confirmations = { ...milestone.confirmations, [service]: counts ? { at, counts } : { at } };
    await this.progress.settle(tx, milestone, this.clock.now());
    return milestone;
  }

  /**
   * What keeps a due masking from being requested, or null. Enforced here, whatever the dates say:
   * nothing is masked while the organization may still export, masking waits for the end of
   * access (no active user may carry a masked e-mail), and a legal hold stops it.
   */
  private async maskingBlocker(manager: EntityManager, retentionCase: RetentionCaseEntity, milestones: MilestoneEntity[], now: Date): Promise<{ reason: string; immediate: boolean } | null> {
    const hold = await activeHoldFor(manager, retentionCase);
    if (hold) {
      const whose = hold.organizationId === retentionCase.organizationId ? 'legal hold' : `legal hold on the vendor ${hold.organizationId}`;
      return { reason: `${whose} since ${hold.placedAt.toISOString()}: masking waits until it is released`, immediate: true };
    }
    if (now < retentionCase.exportWindowClosesAt) {
      return { reason: `the export window is open until ${retentionCase.exportWindowClosesAt.toISOString()}: nothing is masked while the organization may export`, immediate: false };
    }
    const sso = milestones.find((row) => row.milestone === Milestone.SSO_SHUTDOWN);
    if (sso && sso.ownCompletedAt === null && sso.status !== MilestoneStatus.DONE) {
      return { reason: 'waiting for the SSO shutdown: access ends before masking', immediate: false };
    }
    return null;
  }

  /**
   * Requests the case's masking when it is due and nothing keeps it back (after the SSO shutdown's
   * confirmation). A masking milestone locked by the case's tick is left to it: the tick sees the
   * confirmation once this commits and requests it then, so it goes out once.
   */
  private async requestMaskingIfReady(tx: Transaction, caseId: string, now: Date): Promise<void> {
    const retentionCase = await tx.manager.findOneBy(RetentionCaseEntity, { id: caseId });
    if (!retentionCase || !OPEN_OR_QUEUED.includes(retentionCase.status)) return;
    const masking = await tx.manager.findOne(MilestoneEntity, { where: { caseId, milestone: Milestone.PII_MASKED }, lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' } });
    if (!masking || masking.requestId !== null || SETTLED.includes(masking.status) || masking.dueAt === null || masking.dueAt > now) return;
    const milestones = [...(await tx.manager.findBy(MilestoneEntity, { caseId })).filter((row) => row.milestone !== Milestone.PII_MASKED), masking];
    if (await this.maskingBlocker(tx.manager, retentionCase, milestones, now)) return;
    await this.masking.requestMasking(tx, masking, now);
    Object.assign(masking, { status: MilestoneStatus.PENDING, blockedReason: null });
    await tx.manager.save(MilestoneEntity, masking);
  }

  // ---- the timeline-tick job ----

  /**
   * Works every case with a milestone due by `now`, one case per transaction: publishes the
   * requests of milestones falling due, completes retention's own, marks overdue unconfirmed ones
   * BLOCKED with the reason, and moves organizations whose retention ended into the purge queue.
   */
  async tick(now: Date): Promise<number> {
    const schema = (this.dataSource.options as { schema?: string }).schema ?? 'public';
    const due = await this.dataSource.query<{ case_id: string }[]>(
      `SELECT DISTINCT m.case_id FROM "${schema}".timeline_milestones m JOIN "${schema}".retention_cases c ON c.id = m.case_id
       WHERE m.status IN ('PENDING', 'BLOCKED') AND m.due_at <= $1 AND c.status IN ('OPEN', 'PURGE_QUEUED')`,
      [now],
    );
    let processed = 0;
    for (const { case_id: caseId } of due) {
      processed += await this.unitOfWork.run((tx) => this.advanceCase(tx, caseId, now));
    }
    return processed + (await this.sendNotices(now));
  }

  /**
   * `milestone_upcoming` for every milestone the customer must hear about that falls within a
   * notice (MILESTONE_NOTICE_DAYS ahead), once per notice and due date. When the job ran late and
   * several notices are due at once, only the nearest goes out; the others are recorded as passed.
   */
  async sendNotices(now: Date): Promise<number> {
    const noticeDays = this.config.milestoneNoticeDays;
    if (noticeDays.length === 0) return 0;
    const schema = (this.dataSource.options as { schema?: string }).schema ?? 'public';
    const horizon = new Date(now.getTime() + Math.max(...noticeDays) * DAY_MS);
    const upcoming = await this.dataSource.query<{ case_id: string; milestone: Milestone }[]>(
      `SELECT m.case_id, m.milestone FROM "${schema}".timeline_milestones m JOIN "${schema}".retention_cases c ON c.id = m.case_id
        WHERE m.status IN ('PENDING', 'BLOCKED') AND m.request_id IS NULL AND m.own_completed_at IS NULL
          AND m.due_at > $1 AND m.due_at <= $2 AND m.milestone = ANY($3) AND c.status IN ('OPEN', 'PURGE_QUEUED')
        ORDER BY m.due_at, m.case_id`,
      [now, horizon, [...NOTICED_MILESTONES]],
    );
    let sent = 0;
    for (const { case_id: caseId, milestone: kind } of upcoming) {
      const published = await this.unitOfWork.run(async (tx) => {
        const milestone = await tx.manager.findOne(MilestoneEntity, { where: { caseId, milestone: kind }, lock: { mode: 'pessimistic_write' } });
        if (!milestone || milestone.dueAt === null || milestone.dueAt <= now || SETTLED.includes(milestone.status)) return false;
        const dueAt = milestone.dueAt;
        const reached = noticeDays.filter((days) => dueAt.getTime() - days * DAY_MS <= now.getTime());
        if (reached.length === 0) return false;
        const nearest = Math.min(...reached);
        const recorded = await tx.manager.findBy(MilestoneNoticeEntity, { caseId, milestone: kind, dueAt });
        if (recorded.some((notice) => notice.noticeDays <= nearest)) return false;
        const retentionCase = await tx.manager.findOneByOrFail(RetentionCaseEntity, { id: caseId });
        for (const days of reached.filter((candidate) => !recorded.some((notice) => notice.noticeDays === candidate))) {
          await tx.manager.insert(MilestoneNoticeEntity, { caseId, milestone: kind, dueAt, noticeDays: days, organizationId: milestone.organizationId, sentAt: days === nearest ? now : null, createdAt: now });
        }
        await this.journal.publish(tx, 'com.offboarding.retention.milestone_upcoming.v1', milestone.organizationId, {
          organizationId: milestone.organizationId,
          caseId,
          milestone: kind,
          dueAt: dueAt.toISOString(),
          daysLeft: Math.ceil((dueAt.getTime() - now.getTime()) / DAY_MS),
          noticeDays: nearest,
          vendorOrganizationId: retentionCase.vendorOrganizationId,
          publishedAt: now.toISOString(),
        });
        return true;
      });
      if (published) sent += 1;
    }
    return sent;
  }

  private async advanceCase(tx: Transaction, caseId: string, now: Date): Promise<number> {
    const retentionCase = await tx.manager.findOne(RetentionCaseEntity, { where: { id: caseId }, lock: { mode: 'pessimistic_write' } });
    if (!retentionCase || !OPEN_OR_QUEUED.includes(retentionCase.status)) return 0;
    const milestones = (await tx.manager.find(MilestoneEntity, { where: { caseId }, lock: { mode: 'pessimistic_write' } })).sort(
      (a, b) => MILESTONES.indexOf(a.milestone) - MILESTONES.indexOf(b.milestone),
    );
    const graceMs = this.config.confirmationGraceHours * 3_600_000;
    const overdue = (since: Date | null): boolean => since !== null && now.getTime() > since.getTime() + graceMs;
    let changed = 0;
    const block = async (milestone: MilestoneEntity, reason: string): Promise<void> => {
      if (milestone.status === MilestoneStatus.BLOCKED && milestone.blockedReason === reason.slice(0, 500)) return;
      Object.assign(milestone, { status: MilestoneStatus.BLOCKED, blockedReason: reason.slice(0, 500), updatedAt: now });
      await tx.manager.save(MilestoneEntity, milestone);
      changed += 1;
    };
    const settle = async (milestone: MilestoneEntity): Promise<void> => {
      if (await this.progress.settle(tx, milestone, now, retentionCase)) changed += 1;
    };
    const request = async (milestone: MilestoneEntity, type: 'com.offboarding.retention.sso_shutdown_requested.v1' | 'com.offboarding.retention.portal_hide_requested.v1') => {
      const requestId = randomUUID();
      Object.assign(milestone, { requestId, requestedAt: now, updatedAt: now });
      await tx.manager.save(MilestoneEntity, milestone);
      await this.journal.publish(tx, type, retentionCase.organizationId, { organizationId: retentionCase.organizationId, requestId, requestedAt: now.toISOString() });
      changed += 1;
    };
    const waitingFor = (milestone: MilestoneEntity, what: string): Promise<void> =>
      overdue(milestone.requestedAt) ? block(milestone, `requested ${milestone.requestedAt?.toISOString()}; ${what}`) : Promise.resolve();

    for (const milestone of milestones) {
      if (SETTLED.includes(milestone.status) || milestone.dueAt === null || milestone.dueAt > now) continue;
      if (milestone.ownCompletedAt !== null) {
        // The vendor's own part is done: the milestone waits for its partners.
        const partners = await this.progress.partnerProgress(tx.manager, retentionCase, milestone.milestone);
        const open = partners.filter((partner) => !SETTLED.includes(partner.status));
        if (open.length === 0) await settle(milestone);
        else {
          const blocked = open.filter((partner) => partner.status === MilestoneStatus.BLOCKED);
          if (blocked.length > 0) await block(milestone, blocked.map((partner) => `waiting for partner ${partner.organizationId}: ${partner.blockedReason ?? 'blocked'}`).join('; '));
          else if (overdue(milestone.ownCompletedAt)) await block(milestone, `waiting for partner ${open.map((partner) => partner.organizationId).join(', ')}`);
        }
        continue;
      }
      switch (milestone.milestone) {
        case Milestone.ENTITLEMENTS_CANCELLED:
          if (overdue(milestone.dueAt)) await block(milestone, "waiting for the entitlements service to cancel the organization's entitlements (offboarding_entitlements_cancelled)");
          break;
        case Milestone.EXPORT_WINDOW_CLOSES:
          await settle(milestone);
          break;
        case Milestone.SSO_SHUTDOWN:
          if (milestone.requestId === null) await request(milestone, 'com.offboarding.retention.sso_shutdown_requested.v1');
          else await waitingFor(milestone, 'waiting for identity to confirm with sso_shutdown_completed');
          break;
        case Milestone.PORTAL_HIDDEN:
          if (milestone.requestId === null) await request(milestone, 'com.offboarding.retention.portal_hide_requested.v1');
          else await waitingFor(milestone, 'waiting for identity to confirm with portal_access_disabled');
          break;
        case Milestone.PII_MASKED:
          if (milestone.requestId === null) {
            const blocker = await this.maskingBlocker(tx.manager, retentionCase, milestones, now);
            if (blocker) {
              if (blocker.immediate || overdue(milestone.dueAt)) await block(milestone, blocker.reason);
            } else {
              await this.masking.requestMasking(tx, milestone, now);
              if (milestone.status === MilestoneStatus.BLOCKED) Object.assign(milestone, { status: MilestoneStatus.PENDING, blockedReason: null });
              await tx.manager.save(MilestoneEntity, milestone);
              changed += 1;
            }
          } else {
            const missing = ['entitlements', 'provisioning', 'identity'].filter((service) => milestone.confirmations[service] === undefined);
            await waitingFor(milestone, `waiting for pii_masked from ${missing.join(', ')}`);
          }
          break;
        case Milestone.FINAL_CONFIRMATION: {
          const open = milestones.filter(
            (other) =>
              other !== milestone &&
              other.milestone !== Milestone.EXPORT_WINDOW_CLOSES &&
              other.milestone !== Milestone.PURGE_ELIGIBLE &&
              other.dueAt !== null &&
              other.dueAt <= (milestone.dueAt ?? now) &&
              !SETTLED.includes(other.status),
          );
          if (open.length > 0) {
            if (overdue(milestone.dueAt)) await block(milestone, `waiting for ${open.map((other) => other.milestone).join(', ')}`);
            break;
          }
          // Done: `offboarding_completed` goes out with it (MilestoneProgress).
          await settle(milestone);
          break;
        }
        case Milestone.PURGE_ELIGIBLE:
          if (retentionCase.status === CaseStatus.OPEN) retentionCase.status = nextCaseStatus(retentionCase.status, CaseAction.enterPurgeQueue);
          await settle(milestone);
          break;
      }
    }
    retentionCase.updatedAt = now;
    await tx.manager.save(RetentionCaseEntity, retentionCase);
    return changed;
  }

  // ---- case lifecycle ----

  async lockActiveCase(manager: EntityManager, organizationId: string): Promise<RetentionCaseEntity | null> {
    return manager.findOne(RetentionCaseEntity, {
      where: { organizationId, status: In([...ACTIVE_CASE_STATUSES]) },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async openCase(tx: Transaction, command: OpenCaseCommand): Promise<RetentionCaseEntity> {
    const now = this.clock.now();
    const known = await tx.manager.findOneBy(KnownOrganizationEntity, { organizationId: command.organizationId });
    const vendor = command.vendor ?? null;
    // A partner offboarded with its vendor runs on the vendor's timeline: the vendor's policy, and
    // the vendor's extensions when its case is already there.
    const vendorCase = vendor ? await tx.manager.findOneBy(RetentionCaseEntity, { sourceCaseId: vendor.sourceCaseId }) : null;
    const policyOwner = vendor ? vendor.organizationId : command.organizationId;
    const policyType: OrganizationType = vendor ? 'VENDOR' : command.organizationType;
    const override = await tx.manager.findOneBy(OffboardingPolicyEntity, { organizationId: policyOwner });
    const policy: CasePolicy = vendorCase?.policy ?? { offboarding: effectivePolicy(policyType, override), cancellation: command.cancellation };
    const archivedAt = known?.archivedAt ?? null;
    const retainedUntil = vendorCase?.retainedUntil ?? null;
    const exportWindowExtendedUntil = vendorCase?.exportWindowExtendedUntil ?? null;
    const timeline = computeTimeline({ organizationType: command.organizationType, dayZero: command.dayZero, policy, archivedAt, retainedUntil, exportWindowExtendedUntil });
    const retentionCase: RetentionCaseEntity = {
      id: randomUUID(),
      organizationId: command.organizationId,
      origin: command.origin,
      sourceCaseId: command.sourceCaseId,
      vendorOrganizationId: vendor?.organizationId ?? null,
      vendorSourceCaseId: vendor?.sourceCaseId ?? null,
      partnerOrganizationIds: command.partnerOrganizationIds ?? [],
      organizationType: command.organizationType,
      dayZero: command.dayZero,
      policy,
      status: CaseStatus.OPEN,
      openedAt: now,
      archivedAt,
      exportWindowClosesAt: timeline.exportWindowClosesAt,
      exportWindowExtendedUntil,
      purgeEligibleAt: timeline.purgeEligibleAt,
      retainedUntil,
      lastDecisionChange: vendorCase?.lastDecisionChange ?? null,
      lastDecisionChangeBy: vendorCase?.lastDecisionChangeBy ?? null,
      lastDecisionChangeAt: vendorCase?.lastDecisionChangeAt ?? null,
      maskingKeyDestroyedAt: null,
      closedAt: null,
      closeReason: null,
      completedAt: null,
      purgedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await tx.manager.insert(RetentionCaseEntity, retentionCase);
    await tx.manager.insert(
      MilestoneEntity,
      timeline.milestones.map((due) => {
        const done = due.milestone === Milestone.ENTITLEMENTS_CANCELLED && command.entitlementsAlreadyCancelled;
        return {
          caseId: retentionCase.id,
          milestone: due.milestone,
          organizationId: command.organizationId,
          dueAt: due.dueAt,
          dueRule: vendor ? `${due.rule} (the vendor's timeline)` : due.rule,
          status: done ? MilestoneStatus.DONE : MilestoneStatus.PENDING,
          requestId: null,
          requestedAt: null,
          confirmations: {},
          completedAt: done ? now : null,
          ownCompletedAt: done ? now : null,
          blockedReason: null,
          updatedAt: now,
        };
      }),
    );
    await this.journal.publish(tx, 'com.offboarding.retention.retention_case_opened.v1', command.organizationId, {
      organizationId: command.organizationId,
      caseId: retentionCase.id,
      origin: command.origin,
      organizationType: command.organizationType,
      dayZero: command.dayZero,
      exportWindowClosesAt: timeline.exportWindowClosesAt.toISOString(),
      purgeEligibleAt: timeline.purgeEligibleAt.toISOString(),
      openedAt: now.toISOString(),
    });
    return retentionCase;
  }

  /** Closes a case before purge: pending milestones are skipped, an unused masking key destroyed. */
  async closeCase(tx: Transaction, retentionCase: RetentionCaseEntity, reason: CaseCloseReason): Promise<void> {
    const now = this.clock.now();
    retentionCase.status = nextCaseStatus(retentionCase.status, CaseAction.close);
    Object.assign(retentionCase, { closedAt: now, closeReason: reason, updatedAt: now });
    await tx.manager.save(RetentionCaseEntity, retentionCase);
    await tx.manager
      .createQueryBuilder()
      .update(MilestoneEntity)
      .set({ status: MilestoneStatus.SKIPPED, blockedReason: null, updatedAt: now })
      .where('case_id = :caseId AND status IN (:...open)', { caseId: retentionCase.id, open: [MilestoneStatus.PENDING, MilestoneStatus.BLOCKED] })
      .execute();
    await this.masking.destroyOpenKeys(tx, retentionCase.id, now);
    await this.journal.publish(tx, 'com.offboarding.retention.retention_case_closed.v1', retentionCase.organizationId, {
      organizationId: retentionCase.organizationId,
      caseId: retentionCase.id,
      reason,
      closedAt: now.toISOString(),
    });
    // A partner that leaves the vendor's offboarding no longer holds up the vendor's milestones.
    for (const kind of MILESTONES) await this.progress.settleVendor(tx, retentionCase, kind, now);
  }

  /**
   * Recomputes the case's dates after an archive, an extension or a policy change. Milestones not
   * yet requested move; an export window or purge eligibility pushed past now opens again.
   */
  async recompute(manager: EntityManager, retentionCase: RetentionCaseEntity, now: Date): Promise<Rescheduled[]> {
    const timeline = computeTimeline({
      organizationType: retentionCase.organizationType,
      dayZero: retentionCase.dayZero,
      policy: retentionCase.policy,
      archivedAt: retentionCase.archivedAt,
      retainedUntil: retentionCase.retainedUntil,
      exportWindowExtendedUntil: retentionCase.exportWindowExtendedUntil,
    });
    retentionCase.exportWindowClosesAt = timeline.exportWindowClosesAt;
    retentionCase.purgeEligibleAt = timeline.purgeEligibleAt;
    retentionCase.updatedAt = now;
    const rescheduled: Rescheduled[] = [];
    const rows = await manager.find(MilestoneEntity, { where: { caseId: retentionCase.id }, lock: { mode: 'pessimistic_write' } });
    for (const due of timeline.milestones) {
      const row = rows.find((candidate) => candidate.milestone === due.milestone);
      if (!row || row.status === MilestoneStatus.SKIPPED || row.requestId !== null) continue;
      const reopens = row.status === MilestoneStatus.DONE && (due.milestone === Milestone.EXPORT_WINDOW_CLOSES || due.milestone === Milestone.PURGE_ELIGIBLE) && due.dueAt !== null && due.dueAt > now;
      if (row.status === MilestoneStatus.DONE && !reopens) continue;
      if ((row.dueAt?.getTime() ?? null) !== (due.dueAt?.getTime() ?? null)) rescheduled.push({ milestone: due.milestone, previousDueAt: row.dueAt, dueAt: due.dueAt });
      const rule = retentionCase.vendorSourceCaseId !== null ? `${due.rule} (the vendor's timeline)` : due.rule;
      Object.assign(row, { dueAt: due.dueAt, dueRule: rule, updatedAt: now });
      if (reopens || (row.status === MilestoneStatus.BLOCKED && due.dueAt !== null && due.dueAt > now)) {
        Object.assign(row, { status: MilestoneStatus.PENDING, completedAt: null, ownCompletedAt: null, blockedReason: null });
      }
      await manager.save(MilestoneEntity, row);
    }
    await manager.save(RetentionCaseEntity, retentionCase);
    return rescheduled;
  }

  /** The vendor's open partner cases, locked (a vendor's change of dates is theirs too). */
  async lockPartnerCases(manager: EntityManager, vendorCase: RetentionCaseEntity): Promise<RetentionCaseEntity[]> {
    if (vendorCase.sourceCaseId === null || vendorCase.partnerOrganizationIds.length === 0) return [];
    return manager.find(RetentionCaseEntity, {
      where: { vendorSourceCaseId: vendorCase.sourceCaseId, status: In(OPEN_OR_QUEUED) },
      order: { organizationId: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /**
   * The vendor's partners take over its dates (policy, extensions, the purge decision) and are
   * recomputed; returns each partner's case with what moved.
   */
  async partnersFollow(manager: EntityManager, vendorCase: RetentionCaseEntity, now: Date): Promise<{ partnerCase: RetentionCaseEntity; rescheduled: Rescheduled[] }[]> {
    const followed: { partnerCase: RetentionCaseEntity; rescheduled: Rescheduled[] }[] = [];
    for (const partnerCase of await this.lockPartnerCases(manager, vendorCase)) {
      Object.assign(partnerCase, {
        policy: vendorCase.policy,
        retainedUntil: vendorCase.retainedUntil,
        exportWindowExtendedUntil: vendorCase.exportWindowExtendedUntil,
        lastDecisionChange: vendorCase.lastDecisionChange,
        lastDecisionChangeBy: vendorCase.lastDecisionChangeBy,
        lastDecisionChangeAt: vendorCase.lastDecisionChangeAt,
      });
      if (partnerCase.status !== vendorCase.status && vendorCase.status === CaseStatus.OPEN) partnerCase.status = nextCaseStatus(partnerCase.status, CaseAction.extendRetention);
      followed.push({ partnerCase, rescheduled: await this.recompute(manager, partnerCase, now) });
    }
    return followed;
  }
}

/** A milestone whose due date moved. */
export interface Rescheduled {
  milestone: Milestone;
  previousDueAt: Date | null;
  dueAt: Date | null;
}

export function assertDay(field: string, value: string): void {
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || dayOf(new Date(`${value}T00:00:00Z`)) !== value) {
    throw new InvalidInputError(field, 'must be a calendar day, YYYY-MM-DD');
  }
}

export function requireActive(retentionCase: RetentionCaseEntity | null, organizationId: string): RetentionCaseEntity {
  if (!retentionCase) {
    throw new DomainError(ErrorCode.NOT_FOUND, `organization ${organizationId} has no retention case (it is not offboarding and has active entitlements)`, { organizationId });
  }
  return retentionCase;
}
