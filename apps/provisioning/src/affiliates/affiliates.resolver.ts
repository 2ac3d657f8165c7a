import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminOnly, AnyRole, type Caller, CurrentCaller } from '@offboarding/platform';
import { OrganizationReference } from '../organizations/organization.model';
import type { CampaignEntity, PartnerRelationshipEntity, TrackingLinkEntity } from './affiliate.entities';
import {
  CampaignModel,
  CreateCampaignInput,
  PartnerRelationshipModel,
  TrackingLinkModel,
  UpdateCampaignInput,
  UpdatePartnerContactInput,
} from './affiliate.model';
import { AffiliatesService } from './affiliates.service';

@Resolver(() => OrganizationReference)
export class OrganizationAffiliatesResolver {
  constructor(private readonly affiliates: AffiliatesService) {}

  @ResolveField(() => [CampaignModel], {
    nullable: true,
    description:
      'Affiliate campaigns of the organization, oldest first, invalidated ones included (staff view; customers open one through `campaign`). Staff only: null with a FORBIDDEN error at this path for other roles, the rest of the organization still answered.',
  })
  @AdminOnly()
  campaigns(@Parent() organization: OrganizationReference): Promise<CampaignEntity[]> {
    return this.affiliates.campaigns(organization.id);
  }

  @ResolveField(() => [PartnerRelationshipModel], { description: 'Affiliate programme memberships, oldest first.' })
  @AnyRole()
  partnerRelationships(@Parent() organization: OrganizationReference): Promise<PartnerRelationshipEntity[]> {
    return this.affiliates.partnerRelationships(organization.id);
  }
}

@Resolver(() => CampaignModel)
export class CampaignsResolver {
  constructor(private readonly affiliates: AffiliatesService) {}

  @ResolveField(() => [TrackingLinkModel], { description: 'Tracking links of the campaign, oldest first.' })
  @AnyRole()
  trackingLinks(@Parent() campaign: CampaignEntity): Promise<TrackingLinkEntity[]> {
    return this.affiliates.trackingLinksOf(campaign.id);
  }

  @Query(() => CampaignModel, { description: 'A campaign as the customer sees it; FORBIDDEN once invalidated.' })
  @AnyRole()
  campaign(@Args('id', { type: () => ID }) id: string, @CurrentCaller() caller: Caller): Promise<CampaignEntity> {
    return this.affiliates.campaignForCustomer(id, caller);
  }

  @Mutation(() => CampaignModel, { description: 'Starts a campaign with its first tracking link under an active AFL entitlement.' })
  @AdminOnly()
  createCampaign(@Args('input') input: CreateCampaignInput): Promise<CampaignEntity> {
    return this.affiliates.createCampaign(input);
  }

  @Mutation(() => CampaignModel, { description: 'Edits a campaign in progress; FORBIDDEN once invalidated.' })
  @AdminOnly()
  updateCampaign(@Args('input') input: UpdateCampaignInput): Promise<CampaignEntity> {
    return this.affiliates.updateCampaign(input);
  }

  @Mutation(() => CampaignModel)
  @AdminOnly()
  completeCampaign(@Args('id', { type: () => ID }) id: string): Promise<CampaignEntity> {
    return this.affiliates.completeCampaign(id);
  }

  @Mutation(() => TrackingLinkModel, { description: 'Adds a tracking link to a campaign in progress.' })
  @AdminOnly()
  createTrackingLink(@Args('campaignId', { type: () => ID }) campaignId: string, @Args('targetUrl') targetUrl: string): Promise<TrackingLinkEntity> {
    return this.affiliates.createTrackingLink(campaignId, targetUrl);
  }

  @Mutation(() => TrackingLinkModel, { description: 'Re-enables a disabled link once its affiliate programme is active again.' })
  @AdminOnly()
  enableTrackingLink(@Args('id', { type: () => ID }) id: string, @CurrentCaller() caller: Caller): Promise<TrackingLinkEntity> {
    return this.affiliates.enableTrackingLink(id, caller.actorId);
  }

  @Mutation(() => PartnerRelationshipModel, { description: 'Sets the partner contact of a programme membership.' })
  @AdminOnly()
  updatePartnerContact(@Args('input') input: UpdatePartnerContactInput): Promise<PartnerRelationshipEntity> {
    return this.affiliates.updatePartnerContact(input.id, input.contactName, input.contactEmail);
  }
}

@Resolver(() => TrackingLinkModel)
export class TrackingLinksResolver {
  constructor(private readonly affiliates: AffiliatesService) {}

  @ResolveField(() => String, { description: "The link to hand out: `<public origin>/t/<code>` (the gateway's origin, PUBLIC_BASE_URL)." })
  @AnyRole()
  url(@Parent() link: TrackingLinkEntity): string {
    return this.affiliates.publicUrlOf(link);
  }
}
