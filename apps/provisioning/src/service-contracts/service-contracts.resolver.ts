import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { type ConnectionShape, pageRequest } from '@offboarding/platform';
import { OrganizationReference } from '../organizations/organization.model';
import { UNAUTHENTICATED_ACTOR } from '../shared/actor';
import type { ContractEntity, CreditBalanceEntity, CustomerServiceEntity, ServiceRequestEntity } from './service-contract.entities';
import { ContractModel, CreditBalanceModel, ServiceModel, ServiceRequestConnection, ServiceRequestModel } from './service-contract.model';
import { ServiceContractsService } from './service-contracts.service';

@Resolver(() => OrganizationReference)
export class OrganizationServicesResolver {
  constructor(private readonly serviceContracts: ServiceContractsService) {}

  @ResolveField(() => [ServiceModel], { description: 'Services of the organization, oldest first.' })
  services(@Parent() organization: OrganizationReference): Promise<CustomerServiceEntity[]> {
    return this.serviceContracts.services(organization.id);
  }

  @ResolveField(() => [ContractModel], { description: 'Service contracts of the organization, oldest first.' })
  contracts(@Parent() organization: OrganizationReference): Promise<ContractEntity[]> {
    return this.serviceContracts.contracts(organization.id);
  }

  @ResolveField(() => [CreditBalanceModel], { description: 'Prepaid credit balances of the organization, oldest first.' })
  creditBalances(@Parent() organization: OrganizationReference): Promise<CreditBalanceEntity[]> {
    return this.serviceContracts.creditBalances(organization.id);
  }
}

@Resolver(() => ServiceModel)
export class ServicesResolver {
  constructor(private readonly serviceContracts: ServiceContractsService) {}

  @ResolveField(() => [ServiceRequestModel], { description: 'Requests under this service, oldest first.' })
  requests(@Parent() service: CustomerServiceEntity): Promise<ServiceRequestEntity[]> {
    return this.serviceContracts.requestsOf(service.id);
  }

  @Query(() => ServiceRequestConnection, { description: 'Requests of cancelled services waiting for an admin to complete or cancel them, oldest first.' })
  serviceRequestReviewQueue(
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<ConnectionShape<ServiceRequestEntity>> {
    return this.serviceContracts.reviewQueue(pageRequest(first, after));
  }

  @Mutation(() => ServiceRequestModel, { description: 'Opens a request under an active service.' })
  openServiceRequest(@Args('serviceId', { type: () => ID }) serviceId: string, @Args('subject') subject: string): Promise<ServiceRequestEntity> {
    return this.serviceContracts.openServiceRequest(serviceId, subject);
  }

  @Mutation(() => ServiceRequestModel, { description: 'Marks an open or in-review request as done.' })
  completeServiceRequest(@Args('id', { type: () => ID }) id: string): Promise<ServiceRequestEntity> {
    return this.serviceContracts.completeServiceRequest(id, UNAUTHENTICATED_ACTOR);
  }

  @Mutation(() => ServiceRequestModel, { description: 'Cancels an open or in-review request.' })
  cancelServiceRequest(@Args('id', { type: () => ID }) id: string): Promise<ServiceRequestEntity> {
    return this.serviceContracts.cancelServiceRequest(id, UNAUTHENTICATED_ACTOR);
  }

  @Mutation(() => CreditBalanceModel, { description: 'Adds prepaid credits to an active balance.' })
  addCredits(@Args('balanceId', { type: () => ID }) balanceId: string, @Args('amount', { type: () => Int }) amount: number): Promise<CreditBalanceEntity> {
    return this.serviceContracts.addCredits(balanceId, amount);
  }

  @Mutation(() => CreditBalanceModel, { description: 'Spends credits; refused with INVALID_TRANSITION while the balance is FROZEN.' })
  consumeCredits(@Args('balanceId', { type: () => ID }) balanceId: string, @Args('amount', { type: () => Int }) amount: number): Promise<CreditBalanceEntity> {
    return this.serviceContracts.consumeCredits(balanceId, amount);
  }
}
