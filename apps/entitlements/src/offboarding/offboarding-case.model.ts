import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { CancellationReason } from '@offboarding/contracts';
import '../graphql/enums';
import { CancellationPolicySnapshotModel } from '../policies/cancellation-policy.model';
import { OffboardingCaseStatus } from './offboarding-case.entity';

registerEnumType(OffboardingCaseStatus, {
  name: 'OffboardingCaseStatus',
  description: 'Where an offboarding case stands.',
  valuesMap: {
    SCHEDULED: { description: 'Day 0 is ahead: the entitlements are cancelled on it.' },
    ENTITLEMENTS_CANCELLED: { description: 'Day 0 came: every entitlement was cancelled; the retention timeline runs.' },
    CANCELLED: { description: 'Called off before day 0 (for a partner: with its vendor).' },
    WITHDRAWN: { description: 'Closed because the organization won an entitlement back.' },
    SUPERSEDED: { description: "A partner's own offboarding, replaced by the one it follows with its vendor." },
  },
});

@ObjectType('OffboardingCase', { description: "An organization's offboarding, from its start to day 0 and beyond." })
export class OffboardingCaseModel {
  @Field(() => ID) id!: string;
  @Field(() => ID) organizationId!: string;
  @Field(() => OffboardingCaseStatus) status!: OffboardingCaseStatus;
  @Field(() => ID, {
    nullable: true,
    description: "For a partner offboarded with its vendor: the vendor's case, whose day 0 and timeline it follows. Null otherwise.",
  })
  vendorCaseId!: string | null;
  @Field(() => CancellationReason) reason!: CancellationReason;
  @Field({ description: 'Last day of contract (UTC), YYYY-MM-DD.' }) dayZero!: string;
  @Field({ description: 'The account manager handling the case.' }) pointOfContact!: string;
  @Field(() => String, { nullable: true }) notes!: string | null;
  @Field(() => CancellationPolicySnapshotModel) policySnapshot!: CancellationPolicySnapshotModel;
  @Field() startedAt!: Date;
  @Field() startedBy!: string;
  @Field(() => Date, { nullable: true }) entitlementsCancelledAt!: Date | null;
  @Field(() => Date, { nullable: true }) closedAt!: Date | null;
  @Field(() => String, { nullable: true }) closedBy!: string | null;
}

@InputType()
export class StartOffboardingInput {
  @Field(() => ID) organizationId!: string;
  @Field(() => CancellationReason) reason!: CancellationReason;
  @Field({ description: 'Last day of contract, YYYY-MM-DD; today or past cancels at once, a future day on that day.' })
  dayZero!: string;
  @Field({ description: 'The account manager handling the case.' }) pointOfContact!: string;
  @Field(() => String, { nullable: true }) notes?: string | null;
}
