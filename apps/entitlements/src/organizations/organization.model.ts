import { Directive, Field, ID, ObjectType } from '@nestjs/graphql';
import { OrganizationStatus, OrganizationType } from '@offboarding/contracts';
import { Connection } from '@offboarding/platform';
import '../graphql/enums';

@ObjectType('Organization', { description: 'A customer, vendor or partner organization.' })
@Directive('@key(fields: "id")')
export class OrganizationModel {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  taxId!: string | null;

  @Field(() => OrganizationType)
  type!: OrganizationType;

  @Field(() => OrganizationStatus)
  status!: OrganizationStatus;

  @Field(() => ID, { nullable: true, description: 'The vendor a partner organization belongs to.' })
  vendorId!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ObjectType()
export class OrganizationConnection extends Connection(OrganizationModel, 'Organization') {}
