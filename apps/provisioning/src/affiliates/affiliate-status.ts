import type { TransitionTable } from '../shared/transitions';

export const CampaignStatus = { IN_PROGRESS: 'IN_PROGRESS', SUSPENDED: 'SUSPENDED', COMPLETED: 'COMPLETED', INVALIDATED: 'INVALIDATED' } as const;
export type CampaignStatus = (typeof CampaignStatus)[keyof typeof CampaignStatus];
export type CampaignAction = 'suspend' | 'resume' | 'invalidate' | 'complete';

/** An invalidated campaign is final: reactivation does not bring it back, the customer can no longer open or edit it. */
export const CAMPAIGN_TRANSITIONS: TransitionTable<CampaignStatus, CampaignAction> = {
  suspend: { from: [CampaignStatus.IN_PROGRESS], to: CampaignStatus.SUSPENDED },
  resume: { from: [CampaignStatus.SUSPENDED], to: CampaignStatus.IN_PROGRESS },
  invalidate: { from: [CampaignStatus.IN_PROGRESS, CampaignStatus.SUSPENDED], to: CampaignStatus.INVALIDATED },
  complete: { from: [CampaignStatus.IN_PROGRESS], to: CampaignStatus.COMPLETED },
};

export const TrackingLinkStatus = { ACTIVE: 'ACTIVE', DISABLED: 'DISABLED' } as const;
export type TrackingLinkStatus = (typeof TrackingLinkStatus)[keyof typeof TrackingLinkStatus];
export const DisabledReason = { SUSPENDED: 'SUSPENDED', CANCELLED: 'CANCELLED' } as const;
export type DisabledReason = (typeof DisabledReason)[keyof typeof DisabledReason];
export type TrackingLinkAction = 'suspend' | 'resume' | 'cancel' | 'enable';

/**
 * A disabled link answers 410 Gone. `resume` only re-enables links disabled by a suspension (the
 * handler filters on the reason); after a cancellation an admin re-enables links one by one.
 */
export const TRACKING_LINK_TRANSITIONS: TransitionTable<TrackingLinkStatus, TrackingLinkAction> = {
  suspend: { from: [TrackingLinkStatus.ACTIVE], to: TrackingLinkStatus.DISABLED },
  resume: { from: [TrackingLinkStatus.DISABLED], to: TrackingLinkStatus.ACTIVE },
  cancel: { from: [TrackingLinkStatus.ACTIVE, TrackingLinkStatus.DISABLED], to: TrackingLinkStatus.DISABLED },
  enable: { from: [TrackingLinkStatus.DISABLED], to: TrackingLinkStatus.ACTIVE },
};

export const PartnerRelationshipStatus = { ACTIVE: 'ACTIVE', SUSPENDED: 'SUSPENDED', ENDED: 'ENDED' } as const;
export type PartnerRelationshipStatus = (typeof PartnerRelationshipStatus)[keyof typeof PartnerRelationshipStatus];
export type PartnerRelationshipAction = 'suspend' | 'resume' | 'end' | 'renew';

export const PARTNER_RELATIONSHIP_TRANSITIONS: TransitionTable<PartnerRelationshipStatus, PartnerRelationshipAction> = {
  suspend: { from: [PartnerRelationshipStatus.ACTIVE], to: PartnerRelationshipStatus.SUSPENDED },
  resume: { from: [PartnerRelationshipStatus.SUSPENDED], to: PartnerRelationshipStatus.ACTIVE },
  end: { from: [PartnerRelationshipStatus.ACTIVE, PartnerRelationshipStatus.SUSPENDED], to: PartnerRelationshipStatus.ENDED },
  renew: { from: [PartnerRelationshipStatus.ENDED], to: PartnerRelationshipStatus.ACTIVE },
};
