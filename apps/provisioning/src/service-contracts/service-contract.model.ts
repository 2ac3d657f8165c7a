import { Field, Float, ID, ObjectType } from '@nestjs/graphql';
import { Connection } from '@offboarding/platform';
import '../graphql/enums';
import { CreditBalanceStatus, ServiceRequestStatus, ServiceStatus } from './service-contract-status';

@ObjectType('Service', { description: 'A service fed by an SVC entitlement.' })
export class ServiceModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  entitlementId!: string;

  @Field()
  name!: string;

  @Field(() => ServiceStatus)
  status!: ServiceStatus;

  @Field(() => Date, { nullable: true })
  cancelledAt!: Date | null;

  @Field()
  createdAt!: Date;
}

@ObjectType('Contract', { description: 'The contract a service is delivered under.' })
export class ContractModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  entitlementId!: string;

  @Field(() => ID)
  serviceId!: string;

  @Field()
  reference!: string;

  @Field(() => ServiceStatus, { description: 'Contracts share the service lifecycle.' })
  status!: ServiceStatus;

  @Field()
  startsAt!: Date;

  @Field(() => Date, { nullable: true })
  cancelledAt!: Date | null;
}

@ObjectType('ServiceRequest', { description: 'Work the customer asked for under a service.' })
export class ServiceRequestModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organizationId!: string;

  @Field(() => ID)
  serviceId!: string;

  @Field()
  subject!: string;

  @Field(() => ServiceRequestStatus)
  status!: ServiceRequestStatus;

  @Field(() => Date, { nullable: true, description: 'When the service was cancelled and the request went to the review queue.' })
  reviewSince!: Date | null;

  @Field(() => Date, { nullable: true })
  resolvedAt!: Date | null;

  @Field()
  createdAt!: Date;
}

@ObjectType()
export class ServiceRequestConnection extends Connection(ServiceRequestModel, 'ServiceRequest') {}

@ObjectType('CreditBalance', { description: 'Prepaid service credits; a FROZEN balance refuses consumption.' })
export class CreditBalanceModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  entitlementId!: string;

  @Field(() => Float)
  credits!: number;

  @Field(() => CreditBalanceStatus)
  status!: CreditBalanceStatus;

  @Field(() => Date, { nullable: true })
  frozenAt!: Date | null;
}
