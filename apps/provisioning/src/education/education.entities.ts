import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CourseSeatStatus, EnrollmentStatus } from './education-status';

/** One seat of an EDU entitlement. */
@Entity({ name: 'course_seats' })
export class CourseSeatEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'entitlement_id', type: 'uuid' })
  entitlementId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: CourseSeatStatus;

  @Column({ name: 'released_at', type: 'timestamptz', nullable: true })
  releasedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** A learner on a seat; closed enrolments are the learner records kept until purge. */
@Entity({ name: 'enrollments' })
export class EnrollmentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'entitlement_id', type: 'uuid' })
  entitlementId!: string;

  @Column({ name: 'seat_id', type: 'uuid' })
  seatId!: string;

  /** The learner's id in the customer's own system; no names or e-mails are stored here. */
  @Column({ name: 'learner_ref', type: 'varchar', length: 200 })
  learnerRef!: string;

  @Column({ type: 'varchar', length: 200 })
  course!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: EnrollmentStatus;

  @Column({ name: 'enrolled_at', type: 'timestamptz' })
  enrolledAt!: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
