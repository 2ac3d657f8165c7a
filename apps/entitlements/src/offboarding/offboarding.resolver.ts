import { Args, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminOnly, AnyRole, type Caller, CurrentCaller } from '@offboarding/platform';
import type { OrganizationEntity } from '../organizations/organization.entity';
import { OrganizationModel } from '../organizations/organization.model';
import type { OffboardingCaseEntity } from './offboarding-case.entity';
import { OffboardingCaseModel, StartOffboardingInput } from './offboarding-case.model';
import { OffboardingService } from './offboarding.service';

@Resolver(() => OrganizationModel)
export class OffboardingResolver {
  constructor(private readonly cases: OffboardingService) {}

  @Mutation(() => OffboardingCaseModel, {
    description: 'Starts offboarding: OFFBOARDING now, entitlements cancelled on day 0 (at once when day 0 is today or past).',
  })
  @AdminOnly()
  startOffboarding(@Args('input') input: StartOffboardingInput, @CurrentCaller() caller: Caller): Promise<OffboardingCaseEntity> {
    return this.cases.start({ ...input, actor: caller.actorId });
  }

  @Mutation(() => OffboardingCaseModel, { description: 'Calls off an offboarding before day 0.' })
  @AdminOnly()
  cancelOffboarding(@Args('organizationId', { type: () => ID }) organizationId: string, @CurrentCaller() caller: Caller): Promise<OffboardingCaseEntity> {
    return this.cases.cancel(organizationId, caller.actorId);
  }

  @ResolveField(() => OffboardingCaseModel, { nullable: true, description: 'The most recent offboarding case.' })
  @AnyRole()
  offboarding(@Parent() organization: OrganizationEntity): Promise<OffboardingCaseEntity | null> {
    return this.cases.currentCase(organization.id);
  }
}
