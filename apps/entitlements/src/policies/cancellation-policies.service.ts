import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { type CancellationPolicySnapshot, DEFAULT_CANCELLATION_POLICY } from '@offboarding/contracts';
import { UnitOfWork } from '@offboarding/messaging';
import { Clock, InvalidInputError } from '@offboarding/platform';
import { AuditLog } from '../audit/audit-log';
import { OrganizationsService } from '../organizations/organizations.service';
import { CancellationPolicyEntity } from './cancellation-policy.entity';

export type PolicyScope = 'DEFAULT' | 'GLOBAL' | 'ORGANIZATION';

export interface EffectivePolicy extends CancellationPolicySnapshot {
  /** Where the values come from: the built-in defaults, the global policy or the override. */
  scope: PolicyScope;
  organizationId: string | null;
}

export interface SetCancellationPolicyCommand extends CancellationPolicySnapshot {
  organizationId: string | null;
  actor: string;
}

const LIMITS: Record<keyof Omit<CancellationPolicySnapshot, 'allowReactivation' | 'refundEligible'>, number> = {
  portalVisibilityDays: 3650,
  dataRetentionDays: 3650,
  reactivationWindowDays: 3650,
  gracePeriodDays: 365,
};

function snapshotOf(row: CancellationPolicyEntity): CancellationPolicySnapshot {
  return {
    portalVisibilityDays: row.portalVisibilityDays,
    dataRetentionDays: row.dataRetentionDays,
    allowReactivation: row.allowReactivation,
    reactivationWindowDays: row.reactivationWindowDays,
    refundEligible: row.refundEligible,
    gracePeriodDays: row.gracePeriodDays,
  };
}

/** CancellationPolicy: SPEC defaults, overridden by the global policy, overridden per organization. */
@Injectable()
export class CancellationPoliciesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly organizations: OrganizationsService,
    private readonly auditLog: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** The policy in force for an organization (or globally when `organizationId` is null). */
  async effective(organizationId: string | null, manager: EntityManager = this.dataSource.manager): Promise<EffectivePolicy> {
    // The override and the global policy in one read: this runs inside every cancellation.
    const rows = await manager.find(CancellationPolicyEntity, {
      where: organizationId !== null ? [{ organizationId }, { organizationId: IsNull() }] : { organizationId: IsNull() },
    });
    const override = rows.find((row) => row.organizationId !== null);
    if (override && organizationId !== null) return { ...snapshotOf(override), scope: 'ORGANIZATION', organizationId };
    const global = rows.find((row) => row.organizationId === null);
    if (global) return { ...snapshotOf(global), scope: 'GLOBAL', organizationId: null };
    return { ...DEFAULT_CANCELLATION_POLICY, scope: 'DEFAULT', organizationId: null };
  }

  /** Sets the global policy or an organization's override. Entitlements already cancelled keep their snapshot. */
  async set(command: SetCancellationPolicyCommand): Promise<EffectivePolicy> {
    for (const [field, max] of Object.entries(LIMITS) as [keyof typeof LIMITS, number][]) {
      const value = command[field];
      if (!Number.isInteger(value) || value < 0 || value > max) throw new InvalidInputError(field, `must be a whole number of days from 0 to ${max}`);
    }
    return this.unitOfWork.run(async (tx) => {
      const { manager } = tx;
      if (command.organizationId !== null) await this.organizations.lockById(command.organizationId, manager);
      const now = this.clock.now();
      const values = {
        portalVisibilityDays: command.portalVisibilityDays,
        dataRetentionDays: command.dataRetentionDays,
        allowReactivation: command.allowReactivation,
        reactivationWindowDays: command.reactivationWindowDays,
        refundEligible: command.refundEligible,
        gracePeriodDays: command.gracePeriodDays,
        updatedBy: command.actor,
        updatedAt: now,
      };
      const existing = await manager.findOne(CancellationPolicyEntity, {
        where: { organizationId: command.organizationId ?? IsNull() },
        lock: { mode: 'pessimistic_write' },
      });
      if (existing) await manager.update(CancellationPolicyEntity, { id: existing.id }, values);
      else {
        await manager.insert(CancellationPolicyEntity, {
          id: randomUUID(),
          organizationId: command.organizationId,
          createdAt: now,
          ...values,
        });
      }
      if (command.organizationId !== null) {
        await this.auditLog.record(tx, {
          organizationId: command.organizationId,
          actor: command.actor,
          action: 'cancellation_policy.set',
          subjectType: 'cancellation_policy',
          subjectId: command.organizationId,
        });
      }
      return this.effective(command.organizationId, manager);
    });
  }
}
