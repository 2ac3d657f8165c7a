import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { CancellationReason } from '@offboarding/contracts';
import '../graphql/enums';
import { CancellationPolicySnapshotModel } from '../policies/cancellation-policy.model';
import { OffboardingCaseStatus } from './offboarding-case.entity';

registerEnumType(OffboardingCaseStatus, { name: 'OffboardingCaseStatus' });

@ObjectType('OffboardingCase', { description: "An organization's offboarding, from its start to day 0 and beyond." })
export class OffboardingCaseModel {
  @Field(() => ID) id!: string;
  @Field(() => ID) organizationId!: string;
  @Field(() => OffboardingCaseStatus) status!: OffboardingCaseStatus;
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
