import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import '../graphql/enums';
import { CampaignStatus, DisabledReason, PartnerRelationshipStatus, TrackingLinkStatus } from './affiliate-status';

@ObjectType('Campaign', { description: 'An affiliate campaign; INVALIDATED ones are closed to the customer.' })
export class CampaignModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  entitlementId!: string;

  @Field()
  name!: string;

  @Field(() => CampaignStatus)
  status!: CampaignStatus;

  @Field(() => String, { nullable: true })
  contactName!: string | null;

  @Field(() => String, { nullable: true })
  contactEmail!: string | null;

  @Field(() => Date, { nullable: true })
  invalidatedAt!: Date | null;

  @Field()
  createdAt!: Date;
}

@ObjectType('TrackingLink', { description: 'A short link /t/<code>: redirects while ACTIVE, answers 410 Gone while DISABLED.' })
export class TrackingLinkModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  campaignId!: string;

  @Field()
  code!: string;

  @Field()
  targetUrl!: string;

  @Field(() => TrackingLinkStatus)
  status!: TrackingLinkStatus;

  @Field(() => DisabledReason, { nullable: true })
  disabledReason!: DisabledReason | null;

  @Field(() => Date, { nullable: true })
  disabledAt!: Date | null;
}

@ObjectType('PartnerRelationship', { description: "The organization's membership in an affiliate programme." })
export class PartnerRelationshipModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  entitlementId!: string;

  @Field()
  programme!: string;

  @Field(() => String, { nullable: true })
  contactName!: string | null;

  @Field(() => String, { nullable: true })
  contactEmail!: string | null;

  @Field(() => PartnerRelationshipStatus)
  status!: PartnerRelationshipStatus;

  @Field(() => Date, { nullable: true })
  endedAt!: Date | null;
}

@InputType()
export class CreateCampaignInput {
  @Field(() => ID, { description: 'The AFL entitlement the campaign runs under; it must be active.' })
  entitlementId!: string;

  @Field()
  name!: string;

  @Field({ description: 'Landing page of the campaign\'s first tracking link.' })
  targetUrl!: string;

  @Field(() => String, { nullable: true })
  contactName?: string | null;

  @Field(() => String, { nullable: true })
  contactEmail?: string | null;
}

@InputType()
export class UpdateCampaignInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  contactName?: string | null;

  @Field(() => String, { nullable: true })
  contactEmail?: string | null;
}

@InputType()
export class UpdatePartnerContactInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  contactName?: string | null;

  @Field(() => String, { nullable: true })
  contactEmail?: string | null;
}
