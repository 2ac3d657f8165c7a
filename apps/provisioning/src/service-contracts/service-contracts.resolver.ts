import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminOnly, AnyRole, type Caller, type ConnectionShape, CurrentCaller, pageRequest } from '@offboarding/platform';
import { OrganizationReference } from '../organizations/organization.model';
import type { ContractEntity, CreditBalanceEntity, CustomerServiceEntity, ServiceRequestEntity } from './service-contract.entities';
import { ContractModel, CreditBalanceModel, ServiceModel, ServiceRequestConnection, ServiceRequestModel } from './service-contract.model';
import { ServiceContractsService } from './service-contracts.service';

@Resolver(() => OrganizationReference)
export class OrganizationServicesResolver {
  constructor(private readonly serviceContracts: ServiceContractsService) {}

  @ResolveField(() => [ServiceModel], { description: 'Services of the organization, oldest first.' })
  @AnyRole()
  services(@Parent() organization: OrganizationReference): Promise<CustomerServiceEntity[]> {
    return this.serviceContracts.services(organization.id);
  }

  @ResolveField(() => [ContractModel], { description: 'Service contracts of the organization, oldest first.' })
  @AnyRole()
  contracts(@Parent() organization: OrganizationReference): Promise<ContractEntity[]> {
    return this.serviceContracts.contracts(organization.id);
  }

  @ResolveField(() => [CreditBalanceModel], { description: 'Prepaid credit balances of the organization, oldest first.' })
  @AnyRole()
  creditBalances(@Parent() organization: OrganizationReference): Promise<CreditBalanceEntity[]> {
    return this.serviceContracts.creditBalances(organization.id);
  }
}

@Resolver(() => ServiceModel)
export class ServicesResolver {
  constructor(private readonly serviceContracts: ServiceContractsService) {}

  @ResolveField(() => [ServiceRequestModel], { description: 'Requests under this service, oldest first.' })
  @AnyRole()
  requests(@Parent() service: CustomerServiceEntity): Promise<ServiceRequestEntity[]> {
    return this.serviceContracts.requestsOf(service.id);
  }

  @Query(() => ServiceRequestConnection, { description: 'Requests of cancelled services waiting for an admin to complete or cancel them, oldest first.' })
  @AdminOnly()
  serviceRequestReviewQueue(
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<ConnectionShape<ServiceRequestEntity>> {
    return this.serviceContracts.reviewQueue(pageRequest(first, after));
  }

  @Mutation(() => ServiceRequestModel, { description: 'Opens a request under an active service.' })
  @AdminOnly()
  openServiceRequest(@Args('serviceId', { type: () => ID }) serviceId: string, @Args('subject') subject: string): Promise<ServiceRequestEntity> {
    return this.serviceContracts.openServiceRequest(serviceId, subject);
  }

  @Mutation(() => ServiceRequestModel, { description: 'Marks an open or in-review request as done.' })
  @AdminOnly()
  completeServiceRequest(@Args('id', { type: () => ID }) id: string, @CurrentCaller() caller: Caller): Promise<ServiceRequestEntity> {
    return this.serviceContracts.completeServiceRequest(id, caller.actorId);
  }

  @Mutation(() => ServiceRequestModel, { description: 'Cancels an open or in-review request.' })
  @AdminOnly()
  cancelServiceRequest(@Args('id', { type: () => ID }) id: string, @CurrentCaller() caller: Caller): Promise<ServiceRequestEntity> {
    return this.serviceContracts.cancelServiceRequest(id, caller.actorId);
  }

  @Mutation(() => CreditBalanceModel, { description: 'Adds prepaid credits to an active balance.' })
  @AdminOnly()
  addCredits(@Args('balanceId', { type: () => ID }) balanceId: string, @Args('amount', { type: () => Int }) amount: number): Promise<CreditBalanceEntity> {
    return this.serviceContracts.addCredits(balanceId, amount);
  }

  @Mutation(() => CreditBalanceModel, { description: 'Spends credits; refused with INVALID_TRANSITION while the balance is FROZEN.' })
  @AdminOnly()
  consumeCredits(@Args('balanceId', { type: () => ID }) balanceId: string, @Args('amount', { type: () => Int }) amount: number): Promise<CreditBalanceEntity> {
    return this.serviceContracts.consumeCredits(balanceId, amount);
  }
}
