import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import '../graphql/enums';
import { CourseSeatStatus, EnrollmentStatus } from './education-status';

@ObjectType('CourseSeat', { description: 'One seat of an EDU entitlement.' })
export class CourseSeatModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  entitlementId!: string;

  @Field(() => CourseSeatStatus)
  status!: CourseSeatStatus;

  @Field(() => Date, { nullable: true })
  releasedAt!: Date | null;
}

@ObjectType('Enrollment', { description: 'A learner on a seat; CLOSED enrolments are kept as learner records until purge.' })
export class EnrollmentModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  entitlementId!: string;

  @Field(() => ID)
  seatId!: string;

  @Field({ description: "The learner's id in the customer's own system." })
  learnerRef!: string;

  @Field()
  course!: string;

  @Field(() => EnrollmentStatus)
  status!: EnrollmentStatus;

  @Field()
  enrolledAt!: Date;

  @Field(() => Date, { nullable: true })
  closedAt!: Date | null;
}

@InputType()
export class EnrollLearnerInput {
  @Field(() => ID, { description: 'An active EDU entitlement with a free seat.' })
  entitlementId!: string;

  @Field()
  learnerRef!: string;

  @Field()
  course!: string;
}
