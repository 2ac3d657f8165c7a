import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { EntitlementClass } from '@offboarding/contracts';
import { UnitOfWork } from '@offboarding/messaging';
import { Clock, InvalidInputError } from '@offboarding/platform';
import { auditEntry } from '../shared/audit';
import { isUuid } from '../shared/validation';
import { ProvisioningPolicyEntity } from './provisioning-policy.entity';

export const PolicySource = { DEFAULT: 'DEFAULT', GLOBAL: 'GLOBAL', ORGANIZATION: 'ORGANIZATION' } as const;
export type PolicySource = (typeof PolicySource)[keyof typeof PolicySource];

export interface EffectivePolicy {
  organizationId: string | null;
  class: EntitlementClass;
  deprovisionOnCancel: boolean;
  source: PolicySource;
  updatedAt: Date | null;
}

export interface SetPolicyCommand {
  organizationId: string | null;
  class: EntitlementClass;
  deprovisionOnCancel: boolean;
  actor: string;
}

/** SPEC §3.4: resources are cleaned up on cancel unless a policy says to keep them until purge. */
export const DEFAULT_DEPROVISION_ON_CANCEL = true;

@Injectable()
export class ProvisioningPoliciesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /** The organization's own policy for the class, else the global one, else the default. */
  async effective(manager: EntityManager, organizationId: string | null, entitlementClass: EntitlementClass): Promise<EffectivePolicy> {
    const candidates = await manager.find(ProvisioningPolicyEntity, {
      where: [
        ...(organizationId ? [{ organizationId, class: entitlementClass }] : []),
        { organizationId: IsNull(), class: entitlementClass },
      ],
    });
    const own = candidates.find((policy) => policy.organizationId !== null);
    const global = candidates.find((policy) => policy.organizationId === null);
    const chosen = own ?? global;
    return {
      organizationId,
      class: entitlementClass,
      deprovisionOnCancel: chosen?.deprovisionOnCancel ?? DEFAULT_DEPROVISION_ON_CANCEL,
      source: own ? PolicySource.ORGANIZATION : global ? PolicySource.GLOBAL : PolicySource.DEFAULT,
      updatedAt: chosen?.updatedAt ?? null,
    };
  }

  /** The policy in force for every class, for an organization or (null) globally. */
  async effectiveForAllClasses(organizationId: string | null): Promise<EffectivePolicy[]> {
    if (organizationId !== null && !isUuid(organizationId)) throw new InvalidInputError('organizationId', 'must be an organization id');
    const manager = this.dataSource.manager;
    return Promise.all(Object.values(EntitlementClass).map((entitlementClass) => this.effective(manager, organizationId, entitlementClass)));
  }

  async set(command: SetPolicyCommand): Promise<EffectivePolicy> {
    if (command.organizationId !== null && !isUuid(command.organizationId)) {
      throw new InvalidInputError('organizationId', 'must be an organization id, or null for the global policy');
    }
    return this.unitOfWork.run(async ({ manager, publish }) => {
      const now = this.clock.now();
      const existing = await manager.findOne(ProvisioningPolicyEntity, {
        where: { organizationId: command.organizationId ?? IsNull(), class: command.class },
        lock: { mode: 'pessimistic_write' },
      });
      const before = existing ? String(existing.deprovisionOnCancel) : null;
      if (existing) {
        existing.deprovisionOnCancel = command.deprovisionOnCancel;
        existing.updatedAt = now;
        await manager.save(ProvisioningPolicyEntity, existing);
      } else {
        await manager.insert(ProvisioningPolicyEntity, {
          id: randomUUID(),
          organizationId: command.organizationId,
          class: command.class,
          deprovisionOnCancel: command.deprovisionOnCancel,
          createdAt: now,
          updatedAt: now,
        });
      }
      // Audit entries belong to an organization's trail; a global change has none to land in.
      if (command.organizationId !== null) {
        await publish(
          'com.offboarding.provisioning.audit_recorded.v1',
          command.organizationId,
          auditEntry(
            {
              organizationId: command.organizationId,
              actor: command.actor,
              action: 'provisioning_policy.set',
              reason: null,
              subjectType: 'provisioning_policy',
              subjectId: command.class,
              beforeStatus: before === null ? null : `deprovisionOnCancel=${before}`,
              afterStatus: `deprovisionOnCancel=${command.deprovisionOnCancel}`,
            },
            now,
          ),
        );
      }
      return this.effective(manager, command.organizationId, command.class);
    });
  }
}
