import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { UNAUTHENTICATED_ACTOR } from '../shared/actor';
import { type EffectivePolicy, ProvisioningPoliciesService } from './provisioning-policies.service';
import { ProvisioningPolicyModel, SetProvisioningPolicyInput } from './provisioning-policy.model';

@Resolver(() => ProvisioningPolicyModel)
export class ProvisioningPoliciesResolver {
  constructor(private readonly policies: ProvisioningPoliciesService) {}

  @Query(() => [ProvisioningPolicyModel], { description: 'The ProvisioningPolicy in force per class, for an organization or globally.' })
  effectiveProvisioningPolicies(
    @Args('organizationId', { type: () => ID, nullable: true }) organizationId: string | null,
  ): Promise<EffectivePolicy[]> {
    return this.policies.effectiveForAllClasses(organizationId ?? null);
  }

  @Mutation(() => ProvisioningPolicyModel, { description: 'Sets the global or an organization\'s ProvisioningPolicy for a class.' })
  setProvisioningPolicy(@Args('input') input: SetProvisioningPolicyInput): Promise<EffectivePolicy> {
    return this.policies.set({
      organizationId: input.organizationId ?? null,
      class: input.class,
      deprovisionOnCancel: input.deprovisionOnCancel,
      actor: UNAUTHENTICATED_ACTOR,
    });
  }
}
