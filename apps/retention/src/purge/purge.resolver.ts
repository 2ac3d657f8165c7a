import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminOnly, assertOrganizationAccess, type Caller, CurrentCaller, pageRequest } from '@offboarding/platform';
import { ServiceCollectionsClient } from '../exports/service-collections';
import { OrganizationReference } from '../organizations/organization.model';
import { CONFIRMING_SERVICES } from '../shared/confirming-services';
import { toCaseModel, toCertificateModel, toPurgeRequestModel } from '../timeline/retention.mappers';
import {
  CollectionCountModel,
  DeletionCertificateModel,
  ExtendRetentionInput,
  LegalHoldInput,
  PurgeQueueConnection,
  PurgeQueueEntryModel,
  PurgeRequestModel,
  RetentionCaseModel,
} from '../timeline/retention.models';
import { PurgeService } from './purge.service';
import { RetentionAdminService } from './retention-admin.service';

@Resolver(() => PurgeQueueEntryModel)
export class PurgeQueueResolver {
  constructor(
    private readonly purge: PurgeService,
    private readonly admin: RetentionAdminService,
    private readonly collections: ServiceCollectionsClient,
  ) {}

  @Query(() => PurgeQueueConnection, { description: 'Organizations whose retention ended: to review, hold, extend or approve.' })
  @AdminOnly()
  async purgeQueue(
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    const connection = await this.purge.queue(pageRequest(first, after));
    return {
      ...connection,
      edges: connection.edges.map((edge) => ({
        cursor: edge.cursor,
        node: {
          organizationId: edge.node.organizationId,
          caseId: edge.node.id,
          organizationType: edge.node.organizationType,
          status: edge.node.status,
          purgeEligibleAt: edge.node.purgeEligibleAt,
          lastDecisionChange: edge.node.lastDecisionChange,
          lastDecisionChangeBy: edge.node.lastDecisionChangeBy,
        } satisfies PurgeQueueEntryModel,
      })),
    };
  }

  @ResolveField(() => Boolean)
  @AdminOnly()
  async onLegalHold(@Parent() entry: PurgeQueueEntryModel): Promise<boolean> {
    return (await this.purge.activeHold(entry.organizationId)) !== null;
  }

  @ResolveField(() => PurgeRequestModel, { nullable: true })
  @AdminOnly()
  async purgeRequest(@Parent() entry: PurgeQueueEntryModel): Promise<PurgeRequestModel | null> {
    const request = await this.purge.liveRequest(entry.caseId);
    return request ? toPurgeRequestModel(request) : null;
  }

  @ResolveField(() => [CollectionCountModel], { description: 'What a purge would delete now: rows per service and table (asks each service).' })
  @AdminOnly()
  async deletionPreview(@Parent() entry: PurgeQueueEntryModel): Promise<CollectionCountModel[]> {
    const perService = await Promise.all(
      CONFIRMING_SERVICES.map(async (service) => {
        const summary = await this.collections.summary(service, entry.organizationId);
        // A vendor's related collections (its partners) are the partners' rows, purged with them.
        return Object.entries(summary)
          .filter(([, entry]) => !entry.related)
          .map(([collection, { rows }]) => ({ service, collection, rows }));
      }),
    );
    return perService.flat();
  }

  @Mutation(() => RetentionCaseModel, { description: 'Keeps the organization longer (out of the purge queue until then), with a reason.' })
  @AdminOnly()
  async extendRetention(@Args('input') input: ExtendRetentionInput, @CurrentCaller() caller: Caller): Promise<RetentionCaseModel> {
    assertOrganizationAccess(caller, input.organizationId);
    return toCaseModel(await this.admin.extendRetention({ ...input, actor: caller.actorId }));
  }

  @Mutation(() => RetentionCaseModel, { description: "The vendor asked to delay deactivation: the export window (and SSO shutdown with it) moves by `days`." })
  @AdminOnly()
  async extendExportWindow(
    @Args('organizationId', { type: () => ID }) organizationId: string,
    @Args('days', { type: () => Int }) days: number,
    @Args('reason') reason: string,
    @CurrentCaller() caller: Caller,
  ): Promise<RetentionCaseModel> {
    assertOrganizationAccess(caller, organizationId);
    return toCaseModel(await this.admin.extendExportWindow({ organizationId, days, reason, actor: caller.actorId }));
  }

  @Mutation(() => RetentionCaseModel, { description: 'Nothing of the organization is masked or purged until the hold is released.' })
  @AdminOnly()
  async placeLegalHold(@Args('input') input: LegalHoldInput, @CurrentCaller() caller: Caller): Promise<RetentionCaseModel> {
    assertOrganizationAccess(caller, input.organizationId);
    return toCaseModel(await this.admin.placeLegalHold({ ...input, actor: caller.actorId }));
  }

  @Mutation(() => RetentionCaseModel, { description: 'Releases the hold; the purge then needs an approval by another admin.' })
  @AdminOnly()
  async releaseLegalHold(@Args('input') input: LegalHoldInput, @CurrentCaller() caller: Caller): Promise<RetentionCaseModel> {
    assertOrganizationAccess(caller, input.organizationId);
    return toCaseModel(await this.admin.releaseLegalHold({ ...input, actor: caller.actorId }));
  }

  @Mutation(() => PurgeRequestModel, { description: 'Approves the purge of an organization in the purge queue (not by whoever last extended it or released its hold).' })
  @AdminOnly()
  async approvePurge(@Args('organizationId', { type: () => ID }) organizationId: string, @CurrentCaller() caller: Caller): Promise<PurgeRequestModel> {
    assertOrganizationAccess(caller, organizationId);
    return toPurgeRequestModel(await this.admin.approvePurge(organizationId, caller.actorId));
  }

  @Query(() => DeletionCertificateModel, { nullable: true, description: "The organization's deletion certificate, after its purge." })
  @AdminOnly()
  async deletionCertificate(@Args('organizationId', { type: () => ID }) organizationId: string, @CurrentCaller() caller: Caller): Promise<DeletionCertificateModel | null> {
    assertOrganizationAccess(caller, organizationId);
    const certificate = await this.purge.certificate(organizationId);
    return certificate ? toCertificateModel(certificate) : null;
  }
}

@Resolver(() => OrganizationReference)
export class OrganizationCertificateResolver {
  constructor(private readonly purge: PurgeService) {}

  @ResolveField(() => DeletionCertificateModel, { nullable: true, description: 'The deletion certificate, once the organization was purged.' })
  @AdminOnly()
  async deletionCertificate(@Parent() organization: OrganizationReference): Promise<DeletionCertificateModel | null> {
    const certificate = await this.purge.certificate(organization.id);
    return certificate ? toCertificateModel(certificate) : null;
  }
}
