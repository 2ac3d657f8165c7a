import { Args, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminOnly, AnyRole } from '@offboarding/platform';
import { OrganizationReference } from '../organizations/organization.model';
import type { CourseSeatEntity, EnrollmentEntity } from './education.entities';
import { CourseSeatModel, EnrollLearnerInput, EnrollmentModel } from './education.model';
import { EducationService } from './education.service';

@Resolver(() => OrganizationReference)
export class OrganizationEducationResolver {
  constructor(private readonly education: EducationService) {}

  @ResolveField(() => [CourseSeatModel], { description: 'Course seats of the organization, oldest first.' })
  @AnyRole()
  courseSeats(@Parent() organization: OrganizationReference): Promise<CourseSeatEntity[]> {
    return this.education.courseSeats(organization.id);
  }

  @ResolveField(() => [EnrollmentModel], { description: 'Enrolments and learner records, oldest first.' })
  @AnyRole()
  enrollments(@Parent() organization: OrganizationReference): Promise<EnrollmentEntity[]> {
    return this.education.enrollments(organization.id);
  }
}

@Resolver(() => EnrollmentModel)
export class EnrollmentsResolver {
  constructor(private readonly education: EducationService) {}

  @Mutation(() => EnrollmentModel, { description: 'Enrols a learner on a free seat; CONFLICT when every seat is taken.' })
  @AdminOnly()
  enrollLearner(@Args('input') input: EnrollLearnerInput): Promise<EnrollmentEntity> {
    return this.education.enrollLearner(input);
  }
}
