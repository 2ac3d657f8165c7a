import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminOnly, AnyRole, assertOrganizationAccess, type Caller, CurrentCaller } from '@offboarding/platform';
import { OrganizationReference } from '../organizations/organization.model';
import { LegalHoldEntity, RetentionExtensionEntity } from '../purge/purge.entities';
import { PurgeService } from '../purge/purge.service';
import { DataSource } from 'typeorm';
import { toCaseModel, toMilestoneModel, toPreviewMilestone, toPurgeRequestModel } from './retention.mappers';
import {
  LegalHoldModel,
  OffboardingPolicyModel,
  OffboardingTimelineModel,
  PurgeRequestModel,
  RetentionCaseModel,
  RetentionExtensionModel,
  SetOffboardingPolicyInput,
} from './retention.models';
import { MilestoneProgress, toPartnerProgress } from './milestones';
import { TimelineService } from './timeline.service';

@Resolver(() => OrganizationReference)
export class OrganizationTimelineResolver {
  constructor(
    private readonly timelines: TimelineService,
    private readonly progress: MilestoneProgress,
    private readonly dataSource: DataSource,
  ) {}

  @ResolveField(() => OffboardingTimelineModel, {
    nullable: true,
    description: "The timeline of the latest retention case (SPEC §3.3); for a vendor with each partner's progress on every milestone.",
  })
  @AnyRole()
  async timeline(@Parent() organization: OrganizationReference, @CurrentCaller() caller: Caller): Promise<OffboardingTimelineModel | null> {
    assertOrganizationAccess(caller, organization.id);
    const latest = await this.timelines.latestCase(organization.id);
    if (!latest) return null;
    // Partners are other organizations: staff see their progress, a vendor's collaborators do not.
    const partners = caller.role === 'ADMIN' ? await this.progress.partnerTimelines(this.dataSource.manager, latest) : [];
    return {
      caseId: latest.id,
      organizationId: latest.organizationId,
      organizationType: latest.organizationType,
      dayZero: latest.dayZero,
      exportWindowClosesAt: latest.exportWindowClosesAt,
      purgeEligibleAt: latest.purgeEligibleAt,
      vendorOrganizationId: latest.vendorOrganizationId,
      partnerOrganizationIds: caller.role === 'ADMIN' ? latest.partnerOrganizationIds : [],
      milestones: (await this.timelines.milestones(latest.id)).map((row) =>
        toMilestoneModel(
          row,
          partners.map((partner) => toPartnerProgress(partner.organizationId, partner.caseId, partner.milestones.find((candidate) => candidate.milestone === row.milestone))),
        ),
      ),
    };
  }

  @ResolveField(() => RetentionCaseModel, { nullable: true, description: 'Retention dates, status, holds and extensions of the latest case.' })
  @AnyRole()
  async retention(@Parent() organization: OrganizationReference, @CurrentCaller() caller: Caller): Promise<RetentionCaseModel | null> {
    assertOrganizationAccess(caller, organization.id);
    const latest = await this.timelines.latestCase(organization.id);
    return latest ? toCaseModel(latest) : null;
  }

  @Query(() => OffboardingTimelineModel, { description: 'Every date an offboarding starting on dayZero would get, before anything starts.' })
  @AdminOnly()
  async previewOffboardingTimeline(
    @Args('organizationId', { type: () => ID }) organizationId: string,
    @Args('dayZero', { description: 'YYYY-MM-DD' }) dayZero: string,
    @CurrentCaller() caller: Caller,
  ): Promise<OffboardingTimelineModel> {
    assertOrganizationAccess(caller, organizationId);
    const { organizationType, timeline } = await this.timelines.preview(organizationId, dayZero);
    return {
      caseId: null,
      organizationId,
      organizationType,
      dayZero,
      exportWindowClosesAt: timeline.exportWindowClosesAt,
      purgeEligibleAt: timeline.purgeEligibleAt,
      milestones: timeline.milestones.map(toPreviewMilestone),
      vendorOrganizationId: null,
      partnerOrganizationIds: [],
    };
  }

  @Query(() => OffboardingPolicyModel, { description: "The organization's effective OffboardingPolicy (its type's defaults and its overrides)." })
  @AdminOnly()
  async offboardingPolicy(@Args('organizationId', { type: () => ID }) organizationId: string, @CurrentCaller() caller: Caller): Promise<OffboardingPolicyModel> {
    assertOrganizationAccess(caller, organizationId);
    const { offboarding } = (await this.timelines.preview(organizationId, '2000-01-01')).policy;
    const { type } = await this.timelines.policyOf(organizationId);
    return { organizationId, organizationType: type, ...offboarding };
  }

  @Mutation(() => OffboardingPolicyModel, { description: "Overrides the organization type's OffboardingPolicy for one organization; an open case follows." })
  @AdminOnly()
  async setOffboardingPolicy(@Args('input') input: SetOffboardingPolicyInput, @CurrentCaller() caller: Caller): Promise<OffboardingPolicyModel> {
    assertOrganizationAccess(caller, input.organizationId);
    const effective = await this.timelines.setPolicy({ ...input, actor: caller.actorId });
    const { type } = await this.timelines.policyOf(input.organizationId);
    return { organizationId: input.organizationId, organizationType: type, ...effective };
  }
}

@Resolver(() => RetentionCaseModel)
export class RetentionCaseResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly purge: PurgeService,
  ) {}

  @ResolveField(() => Boolean)
  @AnyRole()
  async onLegalHold(@Parent() retentionCase: RetentionCaseModel, @CurrentCaller() caller: Caller): Promise<boolean> {
    assertOrganizationAccess(caller, retentionCase.organizationId);
    return (await this.purge.activeHold(retentionCase.organizationId)) !== null;
  }

  @ResolveField(() => [LegalHoldModel], {
    nullable: true,
    description: 'Every hold placed and released, with the reasons. Staff only: null with a FORBIDDEN error at this path for other roles, the rest of the case still answered.',
  })
  @AdminOnly()
  async legalHolds(@Parent() retentionCase: RetentionCaseModel): Promise<LegalHoldEntity[]> {
    return this.purge.holds(retentionCase.organizationId);
  }

  @ResolveField(() => [RetentionExtensionModel], {
    nullable: true,
    description:
      'Every extension of retention or of the export window, with the reasons. Staff only: null with a FORBIDDEN error at this path for other roles, the rest of the case still answered.',
  })
  @AdminOnly()
  async extensions(@Parent() retentionCase: RetentionCaseModel): Promise<RetentionExtensionEntity[]> {
    return this.dataSource.getRepository(RetentionExtensionEntity).find({ where: { caseId: retentionCase.id }, order: { createdAt: 'ASC' } });
  }

  @ResolveField(() => PurgeRequestModel, { nullable: true, description: 'The latest purge approval and its progress.' })
  @AdminOnly()
  async purgeRequest(@Parent() retentionCase: RetentionCaseModel): Promise<PurgeRequestModel | null> {
    const request = await this.purge.liveRequest(retentionCase.id);
    return request ? toPurgeRequestModel(request) : null;
  }
}
