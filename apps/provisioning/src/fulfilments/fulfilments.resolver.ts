import { Args, Field, ID, Mutation, ObjectType, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminOnly, AnyRole } from '@offboarding/platform';
import { OrganizationReference } from '../organizations/organization.model';
import '../graphql/enums';
import { FulfilmentStatus } from './fulfilment-status';
import type { FulfilmentEntity } from './fulfilment.entity';
import { FulfilmentsService } from './fulfilments.service';

@ObjectType('Fulfilment', { description: 'The delivery of an order (ORD entitlement).' })
export class FulfilmentModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  entitlementId!: string;

  @Field()
  product!: string;

  @Field(() => FulfilmentStatus)
  status!: FulfilmentStatus;

  @Field(() => Date, { nullable: true })
  closedAt!: Date | null;
}

@Resolver(() => OrganizationReference)
export class OrganizationFulfilmentsResolver {
  constructor(private readonly fulfilmentsService: FulfilmentsService) {}

  @ResolveField(() => [FulfilmentModel], { description: 'Order fulfilments of the organization, oldest first.' })
  @AnyRole()
  fulfilments(@Parent() organization: OrganizationReference): Promise<FulfilmentEntity[]> {
    return this.fulfilmentsService.listForOrganization(organization.id);
  }
}

@Resolver(() => FulfilmentModel)
export class FulfilmentsResolver {
  constructor(private readonly fulfilments: FulfilmentsService) {}

  @Mutation(() => FulfilmentModel, { description: 'Marks an open fulfilment as delivered.' })
  @AdminOnly()
  markFulfilled(@Args('id', { type: () => ID }) id: string): Promise<FulfilmentEntity> {
    return this.fulfilments.markFulfilled(id);
  }
}
