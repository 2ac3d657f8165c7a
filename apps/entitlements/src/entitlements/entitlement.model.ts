import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { CancellationReason, EntitlementClass, EntitlementStatus, SuspensionReason } from '@offboarding/contracts';
import { Connection } from '@offboarding/platform';
import '../graphql/enums';
import { CancellationPolicySnapshotModel } from '../policies/cancellation-policy.model';

registerEnumType(SuspensionReason, { name: 'SuspensionReason' });

@ObjectType('RefundQuote', { description: 'Prorated refund for the unused prepaid time, sent to billing.' })
export class RefundQuoteModel {
  @Field(() => Int, { description: 'Minor units of the currency (cents).' })
  amountMinor!: number;

  @Field()
  currency!: string;

  @Field(() => Int)
  unusedDays!: number;

  @Field(() => Int)
  prepaidDays!: number;

  @Field()
  quotedAt!: Date;
}

@ObjectType('Entitlement', { description: 'What an organization bought: one of six classes, with its lifecycle.' })
export class EntitlementModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organizationId!: string;

  @Field(() => EntitlementClass)
  class!: EntitlementClass;

  @Field()
  product!: string;

  @Field(() => EntitlementStatus)
  status!: EntitlementStatus;

  @Field()
  grantedAt!: Date;

  @Field(() => String, { nullable: true, description: 'The order or payment reference it was granted or reactivated with.' })
  orderReference!: string | null;

  @Field(() => Int, { nullable: true, description: 'Prepaid amount in minor units.' })
  prepaidAmountMinor!: number | null;

  @Field(() => String, { nullable: true })
  currency!: string | null;

  @Field(() => Date, { nullable: true })
  prepaidFrom!: Date | null;

  @Field(() => Date, { nullable: true })
  prepaidUntil!: Date | null;

  @Field(() => Date, { nullable: true })
  suspendedAt!: Date | null;

  @Field(() => SuspensionReason, { nullable: true })
  suspensionReason!: SuspensionReason | null;

  @Field(() => Date, { nullable: true, description: 'When a non-payment suspension turns into a cancellation.' })
  graceEndsAt!: Date | null;

  @Field(() => Date, { nullable: true })
  cancelledAt!: Date | null;

  @Field(() => CancellationReason, { nullable: true })
  cancellationReason!: CancellationReason | null;

  @Field(() => String, { nullable: true })
  cancellationNotes!: string | null;

  @Field(() => String, { nullable: true, description: 'Actor id that cancelled it.' })
  cancelledBy!: string | null;

  @Field(() => CancellationPolicySnapshotModel, { nullable: true, description: 'The policy as it was at cancellation.' })
  policySnapshot!: CancellationPolicySnapshotModel | null;

  @Field(() => Date, { nullable: true, description: 'Last moment it can be reactivated; null when the policy forbids it.' })
  reactivatableUntil!: Date | null;

  @Field(() => Date, { nullable: true, description: "Until when the organization's own users still see it in the portal." })
  portalVisibleUntil!: Date | null;

  @Field(() => RefundQuoteModel, { nullable: true })
  refundQuote!: RefundQuoteModel | null;

  @Field(() => Date, { nullable: true })
  reactivatedAt!: Date | null;
}

@ObjectType()
export class EntitlementConnection extends Connection(EntitlementModel, 'Entitlement') {}
