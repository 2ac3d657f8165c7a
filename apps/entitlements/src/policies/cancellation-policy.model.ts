import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export const PolicyScope = { DEFAULT: 'DEFAULT', GLOBAL: 'GLOBAL', ORGANIZATION: 'ORGANIZATION' } as const;
registerEnumType(PolicyScope, {
  name: 'PolicyScope',
  description: 'Where a policy comes from: built-in defaults, the global policy, or an organization override.',
});

@ObjectType('CancellationPolicy', { description: 'What happens when an entitlement is cancelled. Cancelling stores a snapshot.' })
export class CancellationPolicyModel {
  @Field(() => PolicyScope)
  scope!: keyof typeof PolicyScope;

  @Field(() => ID, { nullable: true })
  organizationId!: string | null;

  @Field(() => Int)
  portalVisibilityDays!: number;

  @Field(() => Int)
  dataRetentionDays!: number;

  @Field()
  allowReactivation!: boolean;

  @Field(() => Int)
  reactivationWindowDays!: number;

  @Field()
  refundEligible!: boolean;

  @Field(() => Int, { description: 'Days a non-payment suspension lasts before the entitlement is cancelled.' })
  gracePeriodDays!: number;
}

@ObjectType('CancellationPolicySnapshot', { description: 'The policy as it was when the entitlement was cancelled.' })
export class CancellationPolicySnapshotModel {
  @Field(() => Int)
  portalVisibilityDays!: number;

  @Field(() => Int)
  dataRetentionDays!: number;

  @Field()
  allowReactivation!: boolean;

  @Field(() => Int)
  reactivationWindowDays!: number;

  @Field()
  refundEligible!: boolean;

  @Field(() => Int)
  gracePeriodDays!: number;
}

@InputType()
export class SetCancellationPolicyInput {
  @Field(() => ID, { nullable: true, description: 'The organization to override; omit to set the global policy.' })
  organizationId?: string | null;

  @Field(() => Int, { defaultValue: 90 })
  portalVisibilityDays!: number;

  @Field(() => Int, { defaultValue: 365 })
  dataRetentionDays!: number;

  @Field({ defaultValue: true })
  allowReactivation!: boolean;

  @Field(() => Int, { defaultValue: 90 })
  reactivationWindowDays!: number;

  @Field({ defaultValue: false })
  refundEligible!: boolean;

  @Field(() => Int, { defaultValue: 30 })
  gracePeriodDays!: number;
}
