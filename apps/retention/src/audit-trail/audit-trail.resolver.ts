import { Args, ID, Int, Parent, Query, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { AdminOnly, AnyRole, assertOrganizationAccess, type Caller, CurrentCaller, pageRequest } from '@offboarding/platform';
import { OrganizationReference } from '../organizations/organization.model';
import { AuditTrailVerificationModel } from '../timeline/retention.models';
import { AuditEntryConnection, type AuditEntryModel } from './audit-entry.model';
import { AuditTrailService } from './audit-trail.service';

@Resolver(() => OrganizationReference)
export class OrganizationAuditTrailResolver {
  constructor(private readonly auditTrailService: AuditTrailService) {}

  /** Every organization field of this subgraph is reached through here: the scope is checked once. */
  @ResolveReference()
  @AnyRole()
  resolveReference(@Parent() reference: { id: string }, @CurrentCaller() caller: Caller): OrganizationReference {
    assertOrganizationAccess(caller, reference.id);
    return { id: reference.id };
  }

  @ResolveField(() => AuditEntryConnection, { description: 'Every recorded offboarding action, oldest first.' })
  @AnyRole()
  async auditTrail(
    @Parent() organization: OrganizationReference,
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @CurrentCaller() caller: Caller,
  ) {
    assertOrganizationAccess(caller, organization.id);
    const connection = await this.auditTrailService.list(organization.id, pageRequest(first, after));
    return {
      ...connection,
      edges: connection.edges.map((edge) => ({
        cursor: edge.cursor,
        node: { ...edge.node, details: JSON.stringify(edge.node.details) } satisfies AuditEntryModel,
      })),
    };
  }

  @ResolveField(() => Boolean, { description: 'True when every link of the audit chain verifies.' })
  @AnyRole()
  async auditTrailIntact(@Parent() organization: OrganizationReference, @CurrentCaller() caller: Caller): Promise<boolean> {
    assertOrganizationAccess(caller, organization.id);
    return (await this.auditTrailService.verify(organization.id)) === null;
  }

  @Query(() => AuditTrailVerificationModel, { description: "Recomputes every link of the organization's audit chain and reports the first broken one." })
  @AdminOnly()
  async verifyAuditTrail(@Args('organizationId', { type: () => ID }) organizationId: string, @CurrentCaller() caller: Caller): Promise<AuditTrailVerificationModel> {
    assertOrganizationAccess(caller, organizationId);
    return this.auditTrailService.verifyChain(organizationId);
  }
}
