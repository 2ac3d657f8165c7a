import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminOnly, AnyRole, type Caller, CurrentCaller, pageRequest } from '@offboarding/platform';
import { assertPortalAccess } from '../organizations/organization-access';
import { OrganizationModel } from '../organizations/organization.model';
import { OrganizationsService } from '../organizations/organizations.service';
import type { OrganizationEntity } from '../organizations/organization.entity';
import { CancelEntitlementInput } from './dto/cancel-entitlement.input';
import { GrantEntitlementInput } from './dto/grant-entitlement.input';
import { ReactivateEntitlementInput } from './dto/reactivate-entitlement.input';
import type { EntitlementEntity } from './entitlement.entity';
import { EntitlementConnection, EntitlementModel } from './entitlement.model';
import { EntitlementsService } from './entitlements.service';

const ID_ARG = { type: () => ID };

@Resolver(() => EntitlementModel)
export class EntitlementsResolver {
  constructor(
    private readonly entitlements: EntitlementsService,
    private readonly organizations: OrganizationsService,
  ) {}

  @Query(() => EntitlementModel, { nullable: true })
  @AnyRole()
  async entitlement(@Args('id', ID_ARG) id: string, @CurrentCaller() caller: Caller): Promise<EntitlementEntity | null> {
    const entitlement = await this.entitlements.findVisible(id, caller);
    if (entitlement) assertPortalAccess(caller, await this.organizations.getById(entitlement.organizationId));
    return entitlement;
  }

  @Mutation(() => EntitlementModel, { description: 'Grants an entitlement; downstream services provision what it feeds.' })
  @AdminOnly()
  grantEntitlement(@Args('input') input: GrantEntitlementInput, @CurrentCaller() caller: Caller): Promise<EntitlementEntity> {
    return this.entitlements.grant({ ...input, actor: caller.actorId });
  }

  @Mutation(() => EntitlementModel, { description: 'Cancels an entitlement with a recorded reason and a snapshot of the policy in force.' })
  @AdminOnly()
  cancelEntitlement(@Args('input') input: CancelEntitlementInput, @CurrentCaller() caller: Caller): Promise<EntitlementEntity> {
    return this.entitlements.cancel({ ...input, actor: caller.actorId });
  }

  @Mutation(() => EntitlementModel, { description: 'Suspends an active entitlement (admin); resumeEntitlement lifts it.' })
  @AdminOnly()
  suspendEntitlement(@Args('entitlementId', ID_ARG) entitlementId: string, @CurrentCaller() caller: Caller): Promise<EntitlementEntity> {
    return this.entitlements.suspend(entitlementId, caller.actorId);
  }

  @Mutation(() => EntitlementModel, { description: 'Lifts an admin suspension.' })
  @AdminOnly()
  resumeEntitlement(@Args('entitlementId', ID_ARG) entitlementId: string, @CurrentCaller() caller: Caller): Promise<EntitlementEntity> {
    return this.entitlements.resume(entitlementId, caller.actorId);
  }

  @Mutation(() => EntitlementModel, { description: 'Suspends for NON_PAYMENT and starts the grace period; when it ends the entitlement is cancelled.' })
  @AdminOnly()
  recordPaymentFailure(@Args('entitlementId', ID_ARG) entitlementId: string, @CurrentCaller() caller: Caller): Promise<EntitlementEntity> {
    return this.entitlements.recordPaymentFailure(entitlementId, caller.actorId);
  }

  @Mutation(() => EntitlementModel, { description: 'The payment arrived within the grace period: active again.' })
  @AdminOnly()
  recordPaymentRecovered(@Args('entitlementId', ID_ARG) entitlementId: string, @CurrentCaller() caller: Caller): Promise<EntitlementEntity> {
    return this.entitlements.recordPaymentRecovered(entitlementId, caller.actorId);
  }

  @Mutation(() => EntitlementModel, {
    description: 'Wins a cancelled entitlement back inside its reactivation window, with a new order or payment reference.',
  })
  @AdminOnly()
  reactivateEntitlement(@Args('input') input: ReactivateEntitlementInput, @CurrentCaller() caller: Caller): Promise<EntitlementEntity> {
    return this.entitlements.reactivate({ ...input, actor: caller.actorId });
  }

  @ResolveField(() => OrganizationModel)
  @AnyRole()
  organization(@Parent() entitlement: EntitlementEntity): Promise<OrganizationEntity> {
    return this.organizations.getById(entitlement.organizationId);
  }
}

@Resolver(() => OrganizationModel)
export class OrganizationEntitlementsResolver {
  constructor(private readonly entitlementsService: EntitlementsService) {}

  @ResolveField(() => EntitlementConnection, {
    description: "Staff see every entitlement; the organization's own users see cancelled ones until portalVisibleUntil.",
  })
  @AnyRole()
  entitlements(
    @Parent() organization: OrganizationEntity,
    @CurrentCaller() caller: Caller,
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.entitlementsService.listForOrganization(organization.id, caller, pageRequest(first, after));
  }
}
