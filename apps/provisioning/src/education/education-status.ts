import type { TransitionTable } from '../shared/transitions';

export const CourseSeatStatus = { AVAILABLE: 'AVAILABLE', ASSIGNED: 'ASSIGNED', RELEASED: 'RELEASED' } as const;
export type CourseSeatStatus = (typeof CourseSeatStatus)[keyof typeof CourseSeatStatus];
export type CourseSeatAction = 'assign' | 'release' | 'restore';

/** Released seats no longer count against the customer; reactivation makes them available again. */
export const COURSE_SEAT_TRANSITIONS: TransitionTable<CourseSeatStatus, CourseSeatAction> = {
  assign: { from: [CourseSeatStatus.AVAILABLE], to: CourseSeatStatus.ASSIGNED },
  release: { from: [CourseSeatStatus.AVAILABLE, CourseSeatStatus.ASSIGNED], to: CourseSeatStatus.RELEASED },
  restore: { from: [CourseSeatStatus.RELEASED], to: CourseSeatStatus.AVAILABLE },
};

export const EnrollmentStatus = { ACTIVE: 'ACTIVE', SUSPENDED: 'SUSPENDED', CLOSED: 'CLOSED' } as const;
export type EnrollmentStatus = (typeof EnrollmentStatus)[keyof typeof EnrollmentStatus];
export type EnrollmentAction = 'suspend' | 'resume' | 'close';

/** A closed enrolment is the learner's record: kept, never reopened, deleted only by purge. */
export const ENROLLMENT_TRANSITIONS: TransitionTable<EnrollmentStatus, EnrollmentAction> = {
  suspend: { from: [EnrollmentStatus.ACTIVE], to: EnrollmentStatus.SUSPENDED },
  resume: { from: [EnrollmentStatus.SUSPENDED], to: EnrollmentStatus.ACTIVE },
  close: { from: [EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED], to: EnrollmentStatus.CLOSED },
};
