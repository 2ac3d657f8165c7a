import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AdminOnly, AnyRole, assertOrganizationAccess, type Caller, CurrentCaller, Role } from '@offboarding/platform';
import { type EffectivePolicy, ProvisioningPoliciesService } from './provisioning-policies.service';
import { ProvisioningPolicyModel, SetProvisioningPolicyInput } from './provisioning-policy.model';

@Resolver(() => ProvisioningPolicyModel)
export class ProvisioningPoliciesResolver {
  constructor(private readonly policies: ProvisioningPoliciesService) {}

  @Query(() => [ProvisioningPolicyModel], { description: 'The ProvisioningPolicy in force per class, for an organization or globally.' })
  @AnyRole()
  effectiveProvisioningPolicies(
    @Args('organizationId', { type: () => ID, nullable: true }) organizationId: string | null,
    @CurrentCaller() caller: Caller,
  ): Promise<EffectivePolicy[]> {
    // The global policies are staff business; an organization's users read their own organization's.
    if (organizationId === null || caller.role !== Role.ADMIN) assertOrganizationAccess(caller, organizationId ?? '');
    return this.policies.effectiveForAllClasses(organizationId ?? null);
  }

  @Mutation(() => ProvisioningPolicyModel, { description: 'Sets the global or an organization\'s ProvisioningPolicy for a class.' })
  @AdminOnly()
  setProvisioningPolicy(@Args('input') input: SetProvisioningPolicyInput, @CurrentCaller() caller: Caller): Promise<EffectivePolicy> {
    return this.policies.set({
      organizationId: input.organizationId ?? null,
      class: input.class,
      deprovisionOnCancel: input.deprovisionOnCancel,
      actor: caller.actorId,
    });
  }
}
