import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { pageRequest } from '@offboarding/platform';
import { OrganizationModel } from '../organizations/organization.model';
import { OrganizationsService } from '../organizations/organizations.service';
import type { OrganizationEntity } from '../organizations/organization.entity';
import { CancelEntitlementInput } from './dto/cancel-entitlement.input';
import { GrantEntitlementInput } from './dto/grant-entitlement.input';
import type { EntitlementEntity } from './entitlement.entity';
import { EntitlementConnection, EntitlementModel } from './entitlement.model';
import { EntitlementsService } from './entitlements.service';

// Until authentication lands every change is recorded against this actor id.
const UNAUTHENTICATED_ACTOR = 'anonymous';

@Resolver(() => EntitlementModel)
export class EntitlementsResolver {
  constructor(
    private readonly entitlements: EntitlementsService,
    private readonly organizations: OrganizationsService,
  ) {}

  @Query(() => EntitlementModel, { nullable: true })
  entitlement(@Args('id', { type: () => ID }) id: string): Promise<EntitlementEntity | null> {
    return this.entitlements.findById(id);
  }

  @Mutation(() => EntitlementModel, { description: 'Grants an entitlement; downstream services provision what it feeds.' })
  grantEntitlement(@Args('input') input: GrantEntitlementInput): Promise<EntitlementEntity> {
    return this.entitlements.grant(input);
  }

  @Mutation(() => EntitlementModel, { description: 'Cancels an entitlement with a recorded reason.' })
  cancelEntitlement(@Args('input') input: CancelEntitlementInput): Promise<EntitlementEntity> {
    return this.entitlements.cancel({ ...input, actor: UNAUTHENTICATED_ACTOR });
  }

  @ResolveField(() => OrganizationModel)
  organization(@Parent() entitlement: EntitlementEntity): Promise<OrganizationEntity> {
    return this.organizations.getById(entitlement.organizationId);
  }
}

@Resolver(() => OrganizationModel)
export class OrganizationEntitlementsResolver {
  constructor(private readonly entitlementsService: EntitlementsService) {}

  @ResolveField(() => EntitlementConnection)
  entitlements(
    @Parent() organization: OrganizationEntity,
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.entitlementsService.listForOrganization(organization.id, pageRequest(first, after));
  }
}
