import type { OrganizationType } from '@offboarding/contracts';
import { addDays } from '@offboarding/platform';
import type { CasePolicy } from './offboarding-policy';

export const Milestone = {
  ENTITLEMENTS_CANCELLED: 'ENTITLEMENTS_CANCELLED',
  EXPORT_WINDOW_CLOSES: 'EXPORT_WINDOW_CLOSES',
  SSO_SHUTDOWN: 'SSO_SHUTDOWN',
  PII_MASKED: 'PII_MASKED',
  PORTAL_HIDDEN: 'PORTAL_HIDDEN',
  FINAL_CONFIRMATION: 'FINAL_CONFIRMATION',
  PURGE_ELIGIBLE: 'PURGE_ELIGIBLE',
} as const;
export type Milestone = (typeof Milestone)[keyof typeof Milestone];

/** Timeline order (SPEC §3.3 table). */
export const MILESTONES: readonly Milestone[] = Object.values(Milestone);

export const MilestoneStatus = { PENDING: 'PENDING', DONE: 'DONE', SKIPPED: 'SKIPPED', BLOCKED: 'BLOCKED' } as const;
export type MilestoneStatus = (typeof MilestoneStatus)[keyof typeof MilestoneStatus];

/** The milestones a customer must hear about ahead of time (`milestone_upcoming`). */
export const NOTICED_MILESTONES: readonly Milestone[] = [
  Milestone.EXPORT_WINDOW_CLOSES,
  Milestone.SSO_SHUTDOWN,
  Milestone.PII_MASKED,
  Milestone.PORTAL_HIDDEN,
  Milestone.PURGE_ELIGIBLE,
];

/** Who confirms a milestone: the service whose event marks it done. */
export const MILESTONE_OWNER: Readonly<Record<Milestone, string>> = {
  ENTITLEMENTS_CANCELLED: 'entitlements',
  EXPORT_WINDOW_CLOSES: 'retention',
  SSO_SHUTDOWN: 'identity',
  // Every service that holds PII confirms (CONFIRMING_SERVICES).
  PII_MASKED: 'entitlements, provisioning, identity',
  PORTAL_HIDDEN: 'identity',
  FINAL_CONFIRMATION: 'retention',
  PURGE_ELIGIBLE: 'retention',
};

export interface TimelineInput {
  organizationType: OrganizationType;
  /** YYYY-MM-DD */
  dayZero: string;
  policy: CasePolicy;
  archivedAt: Date | null;
  /** Retention extended until (an admin's extendRetention). */
  retainedUntil: Date | null;
  /** Export window extended until (extendExportWindow). */
  exportWindowExtendedUntil: Date | null;
}

export interface MilestoneDue {
  milestone: Milestone;
  /** Every milestone has a date; the model keeps null for rows written before every rule had one. */
  dueAt: Date | null;
  /** How the date was derived, for people: "day 30", "at archive", "end of retention". */
  rule: string;
}

export interface ComputedTimeline {
  dayZeroAt: Date;
  exportWindowClosesAt: Date;
  purgeEligibleAt: Date;
  milestones: MilestoneDue[];
}

const later = (a: Date, b: Date | null): Date => (b !== null && b > a ? b : a);

/** Day 0 starts at 00:00 UTC; "day N" is N whole days after that. */
export function dayZeroInstant(dayZero: string): Date {
  return new Date(`${dayZero}T00:00:00.000Z`);
}

/**
 * Every milestone's due date from day 0, the case's policy and what has happened so far (archive,
 * extensions). Pure: the preview, the case at opening and every recomputation use this.
 */
export function computeTimeline(input: TimelineInput): ComputedTimeline {
  const { offboarding, cancellation } = input.policy;
  const start = dayZeroInstant(input.dayZero);
  const day = (n: number): Date => addDays(start, n);

  const retentionDays = offboarding.retentionDays ?? cancellation.dataRetentionDays;
  const purgeEligibleAt = later(day(retentionDays), input.retainedUntil);

  const exportBase = offboarding.exportWindowDays === null ? purgeEligibleAt : day(offboarding.exportWindowDays);
  // The window never outlives the data.
  const exportWindowClosesAt = minDate(later(exportBase, input.exportWindowExtendedUntil), purgeEligibleAt);
  const extended = input.exportWindowExtendedUntil !== null;
  // A delay in deactivation: nothing that ends access falls inside the window the organization asked for.
  const afterWindow = (due: Date): Date => (extended ? later(due, exportWindowClosesAt) : due);

  // Nothing is masked while the organization may still export (whatever the policy says).
  const maskingBase = offboarding.piiMaskingDays === null ? purgeEligibleAt : minDate(day(offboarding.piiMaskingDays), purgeEligibleAt);
  const maskingAt = later(maskingBase, exportWindowClosesAt);

  // Access ends before masking: SSO shutdown "at archive" happens with masking at the latest, so
  // no masked user is ever still active.
  const ssoRule = offboarding.ssoShutdownDays === null ? input.archivedAt : day(offboarding.ssoShutdownDays);
  let ssoDue = ssoRule === null ? maskingAt : afterWindow(ssoRule);
  if (ssoDue > maskingAt) ssoDue = maskingAt;

  const reactivationDays = cancellation.allowReactivation ? cancellation.reactivationWindowDays : 0;
  const accessEndsDays = Math.max(cancellation.portalVisibilityDays, reactivationDays);
  const portalHiddenDays = offboarding.portalHiddenDays ?? accessEndsDays;
  const finalDays = offboarding.finalConfirmationDays ?? portalHiddenDays;
  const portalHiddenAt = afterWindow(day(portalHiddenDays));
  const finalAt = later(afterWindow(day(finalDays)), portalHiddenAt);

  const rule = (days: number | null, otherwise: string): string => (days === null ? otherwise : `day ${days}`);
  const moved = (due: Date, base: Date, text: string): string => (due.getTime() === base.getTime() ? text : `${text}, after the extended export window`);
  const ssoText =
    offboarding.ssoShutdownDays !== null
      ? moved(ssoDue, day(offboarding.ssoShutdownDays), `day ${offboarding.ssoShutdownDays}`)
      : input.archivedAt !== null && ssoDue.getTime() === input.archivedAt.getTime()
        ? 'at archive'
        : 'at archive, with masking at the latest';
  const milestones: MilestoneDue[] = [
    { milestone: Milestone.ENTITLEMENTS_CANCELLED, dueAt: start, rule: 'day 0' },
    { milestone: Milestone.EXPORT_WINDOW_CLOSES, dueAt: exportWindowClosesAt, rule: extended ? 'extended' : rule(offboarding.exportWindowDays, 'end of retention') },
    { milestone: Milestone.SSO_SHUTDOWN, dueAt: ssoDue, rule: ssoText },
    { milestone: Milestone.PII_MASKED, dueAt: maskingAt, rule: moved(maskingAt, maskingBase, rule(offboarding.piiMaskingDays, 'at purge')) },
    { milestone: Milestone.PORTAL_HIDDEN, dueAt: portalHiddenAt, rule: moved(portalHiddenAt, day(portalHiddenDays), `day ${portalHiddenDays}`) },
    { milestone: Milestone.FINAL_CONFIRMATION, dueAt: finalAt, rule: moved(finalAt, day(finalDays), `day ${finalDays}`) },
    { milestone: Milestone.PURGE_ELIGIBLE, dueAt: purgeEligibleAt, rule: input.retainedUntil && input.retainedUntil > day(retentionDays) ? 'retention extended' : `day ${retentionDays}` },
  ];
  return { dayZeroAt: start, exportWindowClosesAt, purgeEligibleAt, milestones };
}

function minDate(a: Date, b: Date): Date {
  return a < b ? a : b;
}
