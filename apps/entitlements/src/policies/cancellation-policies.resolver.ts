import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminOnly, AnyRole, assertOrganizationAccess, type Caller, CurrentCaller, Role } from '@offboarding/platform';
import type { OrganizationEntity } from '../organizations/organization.entity';
import { OrganizationModel } from '../organizations/organization.model';
import { CancellationPoliciesService, type EffectivePolicy } from './cancellation-policies.service';
import { CancellationPolicyModel, SetCancellationPolicyInput } from './cancellation-policy.model';

@Resolver(() => OrganizationModel)
export class CancellationPoliciesResolver {
  constructor(private readonly policies: CancellationPoliciesService) {}

  @Query(() => CancellationPolicyModel, { description: "The policy in force: an organization's, or the global one when omitted." })
  @AnyRole()
  cancellationPolicy(
    @Args('organizationId', { type: () => ID, nullable: true }) organizationId: string | null,
    @CurrentCaller() caller: Caller,
  ): Promise<EffectivePolicy> {
    // The global policy is staff business; an organization's users read their own organization's.
    if (organizationId === null || caller.role !== Role.ADMIN) assertOrganizationAccess(caller, organizationId ?? '');
    return this.policies.effective(organizationId ?? null);
  }

  @Mutation(() => CancellationPolicyModel, { description: 'Sets the global policy or an organization override; past cancellations keep their snapshot.' })
  @AdminOnly()
  setCancellationPolicy(@Args('input') input: SetCancellationPolicyInput, @CurrentCaller() caller: Caller): Promise<EffectivePolicy> {
    return this.policies.set({ ...input, organizationId: input.organizationId ?? null, actor: caller.actorId });
  }

  @ResolveField(() => CancellationPolicyModel, { name: 'cancellationPolicy' })
  @AnyRole()
  organizationPolicy(@Parent() organization: OrganizationEntity): Promise<EffectivePolicy> {
    return this.policies.effective(organization.id);
  }
}
