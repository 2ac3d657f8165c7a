import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { EntitlementClass } from '@offboarding/contracts';
import { Outbox, UnitOfWork } from '@offboarding/messaging';
import { assertOrganizationAccess, type Caller, Clock, InvalidTransitionError, NotFoundError } from '@offboarding/platform';
import { PROVISIONING_CONFIG, type ProvisioningConfig } from '../config/provisioning-config';
import { KnownEntitlementsService } from '../known-entitlements/known-entitlements.service';
import type { ClassResources, DeprovisionContext, EntitlementRef, ResourceCounts } from '../shared/class-resources';
import { assertCustomerAccess } from '../shared/customer-access';
import { auditEntry } from '../shared/audit';
import { nextStatus, transitionAll, transitionEach } from '../shared/transitions';
import { httpUrl, isUuid, optionalEmail, optionalText, requiredText } from '../shared/validation';
import {
  CAMPAIGN_TRANSITIONS,
  CampaignStatus,
  DisabledReason,
  PARTNER_RELATIONSHIP_TRANSITIONS,
  PartnerRelationshipStatus,
  TRACKING_LINK_TRANSITIONS,
  TrackingLinkStatus,
} from './affiliate-status';
import { CampaignEntity, PartnerRelationshipEntity, TrackingLinkEntity } from './affiliate.entities';

export interface CreateCampaignCommand {
  entitlementId: string;
  name: string;
  targetUrl: string;
  contactName?: string | null;
  contactEmail?: string | null;
}

export interface UpdateCampaignCommand {
  id: string;
  name?: string | null;
  contactName?: string | null;
  contactEmail?: string | null;
}

const LINK_COLUMNS = ['id', 'organization_id', 'campaign_id'] as const;
type LinkRow = Record<(typeof LINK_COLUMNS)[number], string>;
/** Actor of the links a resumed entitlement brings back. */
const RESUMED_ACTOR = 'system:entitlement-resumed';

export type TrackingLinkResolution = { kind: 'redirect'; url: string } | { kind: 'gone' } | { kind: 'unknown' };

function newTrackingCode(): string {
  return randomBytes(8).toString('base64url');
}

/** AFL: the partner relationship, its campaigns and their tracking links. */
@Injectable()
export class AffiliatesService implements ClassResources {
  readonly entitlementClass = EntitlementClass.AFL;

  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly knownEntitlements: KnownEntitlementsService,
    @Inject(PROVISIONING_CONFIG) private readonly config: ProvisioningConfig,
  ) {}

  /** Joining the programme: the relationship and a first campaign with its tracking link. */
  async provision(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    if (await manager.existsBy(PartnerRelationshipEntity, { entitlementId: entitlement.entitlementId })) {
      return { partnerRelationships: 0, campaigns: 0, trackingLinks: 0 };
    }
    await manager.insert(PartnerRelationshipEntity, {
      id: randomUUID(),
      organizationId: entitlement.organizationId,
      entitlementId: entitlement.entitlementId,
      programme: entitlement.product,
      contactName: null,
      contactEmail: null,
      status: PartnerRelationshipStatus.ACTIVE,
      endedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.insertCampaign(manager, entitlement, { name: entitlement.product, targetUrl: this.config.affiliateLandingUrl }, now);
    return { partnerRelationships: 1, campaigns: 1, trackingLinks: 1 };
  }

  private async insertCampaign(
    manager: EntityManager,
    owner: { organizationId: string; entitlementId: string },
    fields: { name: string; targetUrl: string; contactName?: string | null; contactEmail?: string | null },
    now: Date,
  ): Promise<CampaignEntity> {
    const campaign = manager.create(CampaignEntity, {
      id: randomUUID(),
      organizationId: owner.organizationId,
      entitlementId: owner.entitlementId,
      name: fields.name,
      status: CampaignStatus.IN_PROGRESS,
      contactName: fields.contactName ?? null,
      contactEmail: fields.contactEmail ?? null,
      invalidatedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await manager.insert(CampaignEntity, campaign);
    await this.insertLink(manager, campaign, fields.targetUrl, now);
    return campaign;
  }

  private async insertLink(manager: EntityManager, campaign: CampaignEntity, targetUrl: string, now: Date): Promise<TrackingLinkEntity> {
    const link = manager.create(TrackingLinkEntity, {
      id: randomUUID(),
      organizationId: campaign.organizationId,
      entitlementId: campaign.entitlementId,
      campaignId: campaign.id,
      code: newTrackingCode(),
      targetUrl,
      status: TrackingLinkStatus.ACTIVE,
      disabledReason: null,
      disabledAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await manager.insert(TrackingLinkEntity, link);
    return link;
  }

  async suspend(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    const byEntitlement = { where: 'entitlement_id = :entitlementId', params: { entitlementId: entitlement.entitlementId } };
    return {
      campaigns: await transitionAll(manager, CampaignEntity, CAMPAIGN_TRANSITIONS, 'suspend', { ...byEntitlement, set: { updatedAt: now } }),
      trackingLinks: await this.linksDisabled(
        manager,
        await transitionEach(
          manager,
          TrackingLinkEntity,
          TRACKING_LINK_TRANSITIONS,
          'suspend',
          { ...byEntitlement, set: { disabledReason: DisabledReason.SUSPENDED, disabledAt: now, updatedAt: now } },
          LINK_COLUMNS,
        ),
        DisabledReason.SUSPENDED,
        now,
      ),
      partnerRelationships: await transitionAll(manager, PartnerRelationshipEntity, PARTNER_RELATIONSHIP_TRANSITIONS, 'suspend', {
        ...byEntitlement,
        set: { updatedAt: now },
      }),
    };
  }

  async restore(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    const byEntitlement = { where: 'entitlement_id = :entitlementId', params: { entitlementId: entitlement.entitlementId } };
    return {
      campaigns: await transitionAll(manager, CampaignEntity, CAMPAIGN_TRANSITIONS, 'resume', { ...byEntitlement, set: { updatedAt: now } }),
      trackingLinks: await this.linksEnabled(
        manager,
        await transitionEach(
          manager,
          TrackingLinkEntity,
          TRACKING_LINK_TRANSITIONS,
          'resume',
          {
            where: `${byEntitlement.where} AND disabled_reason = :reason`,
            params: { ...byEntitlement.params, reason: DisabledReason.SUSPENDED },
            set: { disabledReason: null, disabledAt: null, updatedAt: now },
          },
          LINK_COLUMNS,
        ),
        RESUMED_ACTOR,
        now,
      ),
      partnerRelationships: await transitionAll(manager, PartnerRelationshipEntity, PARTNER_RELATIONSHIP_TRANSITIONS, 'resume', {
        ...byEntitlement,
        set: { updatedAt: now },
      }),
    };
  }

  /** Campaigns in progress are invalidated, every link disabled, the relationship ended. */
  async deprovision(manager: EntityManager, entitlement: EntitlementRef, { now }: DeprovisionContext): Promise<ResourceCounts> {
    const byEntitlement = { where: 'entitlement_id = :entitlementId', params: { entitlementId: entitlement.entitlementId } };
    const { campaigns, trackingLinks } = await this.invalidate(manager, byEntitlement, 'ENTITLEMENT_CANCELLED', now);
    return {
      campaigns,
      trackingLinks,
      partnerRelationships: await transitionAll(manager, PartnerRelationshipEntity, PARTNER_RELATIONSHIP_TRANSITIONS, 'end', {
        ...byEntitlement,
        set: { endedAt: now, updatedAt: now },
      }),
    };
  }

  /**
   * The organization's masking milestone ("PII masked, campaigns and links invalidated"): whatever
   * an entitlement's cancellation left (a policy that keeps resources, a campaign outside one)
   * is invalidated now, so no campaign or link of the organization outlives it.
   */
  async invalidateForMasking(manager: EntityManager, organizationId: string, now: Date): Promise<ResourceCounts> {
    return this.invalidate(manager, { where: 'organization_id = :organizationId', params: { organizationId } }, 'PII_MASKED', now);
  }

  /** Invalidates campaigns and shuts down their links, one event each. */
  private async invalidate(
    manager: EntityManager,
    scope: { where: string; params: Record<string, unknown> },
    reason: 'ENTITLEMENT_CANCELLED' | 'PII_MASKED',
    now: Date,
  ): Promise<{ campaigns: number; trackingLinks: number }> {
    const campaigns = await transitionEach(manager, CampaignEntity, CAMPAIGN_TRANSITIONS, 'invalidate', { ...scope, set: { invalidatedAt: now, updatedAt: now } }, [
      'id',
      'organization_id',
      'entitlement_id',
    ] as const);
    for (const campaign of campaigns) {
      await this.outbox.add(manager, 'com.offboarding.provisioning.campaign_invalidated.v1', campaign.organization_id, {
        organizationId: campaign.organization_id,
        campaignId: campaign.id,
        entitlementId: campaign.entitlement_id,
        reason,
        invalidatedAt: now.toISOString(),
      });
    }
    const links = await transitionEach(
      manager,
      TrackingLinkEntity,
      TRACKING_LINK_TRANSITIONS,
      'cancel',
      {
        where: `${scope.where} AND disabled_reason IS DISTINCT FROM :cancelled`,
        params: { ...scope.params, cancelled: DisabledReason.CANCELLED },
        set: { disabledReason: DisabledReason.CANCELLED, disabledAt: now, updatedAt: now },
      },
      LINK_COLUMNS,
    );
    return { campaigns: campaigns.length, trackingLinks: await this.linksDisabled(manager, links, DisabledReason.CANCELLED, now) };
  }

  /** One tracking_link_disabled per link shut down; returns how many. */
  private async linksDisabled(manager: EntityManager, links: LinkRow[], reason: DisabledReason, now: Date): Promise<number> {
    for (const link of links) {
      await this.outbox.add(manager, 'com.offboarding.provisioning.tracking_link_disabled.v1', link.organization_id, {
        organizationId: link.organization_id,
        trackingLinkId: link.id,
        campaignId: link.campaign_id,
        reason,
        disabledAt: now.toISOString(),
      });
    }
    return links.length;
  }

  private async linksEnabled(manager: EntityManager, links: LinkRow[], actor: string, now: Date): Promise<number> {
    for (const link of links) {
      await this.outbox.add(manager, 'com.offboarding.provisioning.tracking_link_enabled.v1', link.organization_id, {
        organizationId: link.organization_id,
        trackingLinkId: link.id,
        campaignId: link.campaign_id,
        enabledBy: actor,
        enabledAt: now.toISOString(),
      });
    }
    return links.length;
  }

  /** The relationship is renewed; invalidated campaigns stay so, their links may be re-enabled one by one. */
  async reprovision(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    return {
      partnerRelationships: await transitionAll(manager, PartnerRelationshipEntity, PARTNER_RELATIONSHIP_TRANSITIONS, 'renew', {
        where: 'entitlement_id = :entitlementId',
        params: { entitlementId: entitlement.entitlementId },
        set: { endedAt: null, updatedAt: now },
      }),
    };
  }

  async createCampaign(command: CreateCampaignCommand): Promise<CampaignEntity> {
    const name = requiredText('name', command.name, 200);
    const targetUrl = httpUrl('targetUrl', command.targetUrl);
    const contactName = optionalText('contactName', command.contactName, 200);
    const contactEmail = optionalEmail('contactEmail', command.contactEmail);
    if (!isUuid(command.entitlementId)) throw new NotFoundError('AFL entitlement', command.entitlementId);
    return this.unitOfWork.run(async ({ manager }) => {
      const entitlement = await this.knownEntitlements.requireActive(manager, command.entitlementId, EntitlementClass.AFL);
      return this.insertCampaign(manager, entitlement, { name, targetUrl, contactName, contactEmail }, this.clock.now());
    });
  }

  /** The customer-facing read: an invalidated campaign is closed to the customer. */
  async campaignForCustomer(campaignId: string, caller: Caller): Promise<CampaignEntity> {
    const campaign = isUuid(campaignId) ? await this.dataSource.getRepository(CampaignEntity).findOneBy({ id: campaignId }) : null;
    if (!campaign) throw new NotFoundError('campaign', campaignId);
    // Another organization's campaign is refused before anything about its state is said.
    assertOrganizationAccess(caller, campaign.organizationId);
    this.assertCustomerMayUse(campaign);
    return campaign;
  }

  private assertCustomerMayUse(campaign: CampaignEntity): void {
    assertCustomerAccess({
      resource: 'campaign',
      id: campaign.id,
      accessible: campaign.status !== CampaignStatus.INVALIDATED,
      refusal: 'the campaign was invalidated when the affiliate programme was cancelled',
    });
  }

  async updateCampaign(command: UpdateCampaignCommand): Promise<CampaignEntity> {
    return this.unitOfWork.run(async ({ manager }) => {
      const campaign = await this.requireCampaign(manager, command.id);
      this.assertCustomerMayUse(campaign);
      if (campaign.status !== CampaignStatus.IN_PROGRESS) throw new InvalidTransitionError('campaign', campaign.status, 'edit');
      if (command.name !== undefined && command.name !== null) campaign.name = requiredText('name', command.name, 200);
      if (command.contactName !== undefined) campaign.contactName = optionalText('contactName', command.contactName, 200);
      if (command.contactEmail !== undefined) campaign.contactEmail = optionalEmail('contactEmail', command.contactEmail);
      campaign.updatedAt = this.clock.now();
      return manager.save(CampaignEntity, campaign);
    });
  }

  async completeCampaign(campaignId: string): Promise<CampaignEntity> {
    return this.unitOfWork.run(async ({ manager }) => {
      const campaign = await this.requireCampaign(manager, campaignId);
      this.assertCustomerMayUse(campaign);
      campaign.status = nextStatus('campaign', CAMPAIGN_TRANSITIONS, campaign.status, 'complete');
      campaign.updatedAt = this.clock.now();
      return manager.save(CampaignEntity, campaign);
    });
  }

  async createTrackingLink(campaignId: string, targetUrlInput: string): Promise<TrackingLinkEntity> {
    const targetUrl = httpUrl('targetUrl', targetUrlInput);
    return this.unitOfWork.run(async ({ manager }) => {
      const campaign = await this.requireCampaign(manager, campaignId);
      this.assertCustomerMayUse(campaign);
      if (campaign.status !== CampaignStatus.IN_PROGRESS) throw new InvalidTransitionError('campaign', campaign.status, 'add a tracking link to');
      return this.insertLink(manager, campaign, targetUrl, this.clock.now());
    });
  }

  /** Re-enables a disabled link once its programme is active again (also under an invalidated campaign). */
  async enableTrackingLink(linkId: string, actor: string): Promise<TrackingLinkEntity> {
    return this.unitOfWork.run(async ({ manager, publish }) => {
      const link = isUuid(linkId) ? await manager.findOne(TrackingLinkEntity, { where: { id: linkId }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!link) throw new NotFoundError('tracking link', linkId);
      await this.knownEntitlements.requireActive(manager, link.entitlementId, EntitlementClass.AFL);
      const before = link.status;
      link.status = nextStatus('tracking link', TRACKING_LINK_TRANSITIONS, link.status, 'enable');
      const now = this.clock.now();
      Object.assign(link, { disabledReason: null, disabledAt: null, updatedAt: now });
      const saved = await manager.save(TrackingLinkEntity, link);
      await this.linksEnabled(manager, [{ id: link.id, organization_id: link.organizationId, campaign_id: link.campaignId }], actor, now);
      await publish(
        'com.offboarding.provisioning.audit_recorded.v1',
        link.organizationId,
        auditEntry({ organizationId: link.organizationId, actor, action: 'tracking_link.enable', subjectType: 'tracking_link', subjectId: link.id, beforeStatus: before, afterStatus: link.status }, now),
      );
      return saved;
    });
  }

  async updatePartnerContact(relationshipId: string, contactName: string | null | undefined, contactEmail: string | null | undefined): Promise<PartnerRelationshipEntity> {
    const name = optionalText('contactName', contactName, 200);
    const email = optionalEmail('contactEmail', contactEmail);
    return this.unitOfWork.run(async ({ manager }) => {
      const relationship = isUuid(relationshipId)
        ? await manager.findOne(PartnerRelationshipEntity, { where: { id: relationshipId }, lock: { mode: 'pessimistic_write' } })
        : null;
      if (!relationship) throw new NotFoundError('partner relationship', relationshipId);
      if (relationship.status === PartnerRelationshipStatus.ENDED) throw new InvalidTransitionError('partner relationship', relationship.status, 'change the contact of');
      Object.assign(relationship, { contactName: name, contactEmail: email, updatedAt: this.clock.now() });
      return manager.save(PartnerRelationshipEntity, relationship);
    });
  }

  /** The link as handed out: on the public origin, which routes /t/<code> to this service. */
  publicUrlOf(link: TrackingLinkEntity): string {
    return `${this.config.publicBaseUrl}/t/${encodeURIComponent(link.code)}`;
  }

  /** What `GET /t/:code` answers: a redirect for an active link, gone for a disabled one. */
  async resolveTrackingLink(code: string): Promise<TrackingLinkResolution> {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(code)) return { kind: 'unknown' };
    const link = await this.dataSource.getRepository(TrackingLinkEntity).findOneBy({ code });
    if (!link) return { kind: 'unknown' };
    return link.status === TrackingLinkStatus.ACTIVE ? { kind: 'redirect', url: link.targetUrl } : { kind: 'gone' };
  }

  private async requireCampaign(manager: EntityManager, campaignId: string): Promise<CampaignEntity> {
    const campaign = isUuid(campaignId) ? await manager.findOne(CampaignEntity, { where: { id: campaignId }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!campaign) throw new NotFoundError('campaign', campaignId);
    return campaign;
  }

  campaigns(organizationId: string): Promise<CampaignEntity[]> {
    return this.dataSource.getRepository(CampaignEntity).find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  trackingLinksOf(campaignId: string): Promise<TrackingLinkEntity[]> {
    return this.dataSource.getRepository(TrackingLinkEntity).find({ where: { campaignId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  partnerRelationships(organizationId: string): Promise<PartnerRelationshipEntity[]> {
    return this.dataSource.getRepository(PartnerRelationshipEntity).find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
