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

  @Field(() => Date, { nullable: true, description: 'When its last entitlement was cancelled.' })
  cancelledAt!: Date | null;

  @Field(() => Date, { nullable: true })
  archivedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Set once purged: only the tombstone fields remain.' })
  purgedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When its contacts were masked; reactivation is closed from then on.' })
  piiMaskedAt!: Date | null;

  @Field()
  updatedAt!: Date;
}

@ObjectType()
export class OrganizationConnection extends Connection(OrganizationModel, 'Organization') {}

@ObjectType('Contact', { description: 'A person at the organization. Masked (keyed hash) when the organization is offboarded.' })
export class ContactModel {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  phone!: string | null;

  @Field(() => String, { nullable: true })
  address!: string | null;

  @Field(() => String, { nullable: true })
  role!: string | null;

  @Field(() => Date, { nullable: true })
  maskedAt!: Date | null;
}

@ObjectType()
export class ContactConnection extends Connection(ContactModel, 'Contact') {}
