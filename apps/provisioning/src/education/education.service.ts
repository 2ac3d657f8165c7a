import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { EntitlementClass } from '@offboarding/contracts';
import { UnitOfWork } from '@offboarding/messaging';
import { Clock, DomainError, ErrorCode, NotFoundError } from '@offboarding/platform';
import { PROVISIONING_CONFIG, type ProvisioningConfig } from '../config/provisioning-config';
import { KnownEntitlementsService } from '../known-entitlements/known-entitlements.service';
import type { ClassResources, DeprovisionContext, EntitlementRef, ResourceCounts } from '../shared/class-resources';
import { nextStatus, transitionAll } from '../shared/transitions';
import { isUuid, requiredText } from '../shared/validation';
import { COURSE_SEAT_TRANSITIONS, CourseSeatStatus, ENROLLMENT_TRANSITIONS, EnrollmentStatus } from './education-status';
import { CourseSeatEntity, EnrollmentEntity } from './education.entities';

export interface EnrollLearnerCommand {
  entitlementId: string;
  learnerRef: string;
  course: string;
}

/** EDU: course seats and the learners enrolled on them. */
@Injectable()
export class EducationService implements ClassResources {
  readonly entitlementClass = EntitlementClass.EDU;

  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly knownEntitlements: KnownEntitlementsService,
    @Inject(PROVISIONING_CONFIG) private readonly config: ProvisioningConfig,
  ) {}

  async provision(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    if (await manager.existsBy(CourseSeatEntity, { entitlementId: entitlement.entitlementId })) return { courseSeats: 0 };
    const seats = Array.from({ length: this.config.eduSeatsPerEntitlement }, () => ({
      id: randomUUID(),
      organizationId: entitlement.organizationId,
      entitlementId: entitlement.entitlementId,
      status: CourseSeatStatus.AVAILABLE,
      releasedAt: null,
      createdAt: now,
      updatedAt: now,
    }));
    await manager.insert(CourseSeatEntity, seats);
    return { courseSeats: seats.length };
  }

  /** Learners pause; seats stay theirs. */
  async suspend(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    return {
      enrollments: await transitionAll(manager, EnrollmentEntity, ENROLLMENT_TRANSITIONS, 'suspend', {
        where: 'entitlement_id = :entitlementId',
        params: { entitlementId: entitlement.entitlementId },
        set: { updatedAt: now },
      }),
    };
  }

  async restore(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    return {
      enrollments: await transitionAll(manager, EnrollmentEntity, ENROLLMENT_TRANSITIONS, 'resume', {
        where: 'entitlement_id = :entitlementId',
        params: { entitlementId: entitlement.entitlementId },
        set: { updatedAt: now },
      }),
    };
  }

  /** Enrolments closed (kept as learner records until purge) and every seat released. */
  async deprovision(manager: EntityManager, entitlement: EntitlementRef, { now }: DeprovisionContext): Promise<ResourceCounts> {
    const byEntitlement = { where: 'entitlement_id = :entitlementId', params: { entitlementId: entitlement.entitlementId } };
    return {
      enrollments: await transitionAll(manager, EnrollmentEntity, ENROLLMENT_TRANSITIONS, 'close', { ...byEntitlement, set: { closedAt: now, updatedAt: now } }),
      courseSeats: await transitionAll(manager, CourseSeatEntity, COURSE_SEAT_TRANSITIONS, 'release', {
        ...byEntitlement,
        set: { releasedAt: now, updatedAt: now },
      }),
    };
  }

  /** Seats come back empty; the closed enrolments stay closed as records. */
  async reprovision(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    return {
      courseSeats: await transitionAll(manager, CourseSeatEntity, COURSE_SEAT_TRANSITIONS, 'restore', {
        where: 'entitlement_id = :entitlementId',
        params: { entitlementId: entitlement.entitlementId },
        set: { releasedAt: null, updatedAt: now },
      }),
    };
  }

  /** Puts a learner on a free seat of an active EDU entitlement. */
  async enrollLearner(command: EnrollLearnerCommand): Promise<EnrollmentEntity> {
    const learnerRef = requiredText('learnerRef', command.learnerRef, 200);
    const course = requiredText('course', command.course, 200);
    if (!isUuid(command.entitlementId)) throw new NotFoundError('EDU entitlement', command.entitlementId);
    return this.unitOfWork.run(async ({ manager }) => {
      const entitlement = await this.knownEntitlements.requireActive(manager, command.entitlementId, EntitlementClass.EDU);
      const seat = await manager.findOne(CourseSeatEntity, {
        where: { entitlementId: entitlement.entitlementId, status: CourseSeatStatus.AVAILABLE },
        order: { createdAt: 'ASC', id: 'ASC' },
        lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
      });
      if (!seat) {
        throw new DomainError(ErrorCode.CONFLICT, `every seat of entitlement ${entitlement.entitlementId} is taken`, {
          entitlementId: entitlement.entitlementId,
        });
      }
      const now = this.clock.now();
      seat.status = nextStatus('course seat', COURSE_SEAT_TRANSITIONS, seat.status, 'assign');
      seat.updatedAt = now;
      await manager.save(CourseSeatEntity, seat);
      const enrollment = manager.create(EnrollmentEntity, {
        id: randomUUID(),
        organizationId: entitlement.organizationId,
        entitlementId: entitlement.entitlementId,
        seatId: seat.id,
        learnerRef,
        course,
        status: EnrollmentStatus.ACTIVE,
        enrolledAt: now,
        closedAt: null,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(EnrollmentEntity, enrollment);
      return enrollment;
    });
  }

  courseSeats(organizationId: string): Promise<CourseSeatEntity[]> {
    return this.dataSource.getRepository(CourseSeatEntity).find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  enrollments(organizationId: string): Promise<EnrollmentEntity[]> {
    return this.dataSource.getRepository(EnrollmentEntity).find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
