import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { EntitlementClass, LicenseStatus, type EventPayload } from '@offboarding/contracts';
import { Outbox } from '@offboarding/messaging';
import { Clock } from '@offboarding/platform';
import { nextLicenseStatus } from './license-status';
import { LicenseEntity } from './license.entity';

/** Licence keys: 20 random bytes in five groups, readable over the phone. */
function newLicenseKey(): string {
  return (randomBytes(20).toString('hex').toUpperCase().match(/.{8}/g) ?? []).join('-');
}

@Injectable()
export class LicensesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  /** A PLG entitlement feeds exactly one licence. */
  async onEntitlementGranted(
    manager: EntityManager,
    event: EventPayload<'com.offboarding.entitlements.entitlement_granted.v1'>,
  ): Promise<void> {
    if (event.class !== EntitlementClass.PLG) return;
    const existing = await manager.findOneBy(LicenseEntity, { entitlementId: event.entitlementId });
    if (existing) return;
    const now = this.clock.now();
    const license = manager.create(LicenseEntity, {
      id: randomUUID(),
      organizationId: event.organizationId,
      entitlementId: event.entitlementId,
      licenseKey: newLicenseKey(),
      product: event.product,
      status: LicenseStatus.ACTIVE,
      issuedAt: now,
      cancelledAt: null,
      createdAt: now,
    });
    await manager.insert(LicenseEntity, license);
    await this.outbox.add(manager, 'com.offboarding.provisioning.license_issued.v1', event.organizationId, {
      organizationId: event.organizationId,
      entitlementId: event.entitlementId,
      licenseId: license.id,
      issuedAt: now.toISOString(),
    });
  }

  /** Cancelling the entitlement cancels its licence: downloads stop, installed sites keep their version. */
  async onEntitlementCancelled(
    manager: EntityManager,
    event: EventPayload<'com.offboarding.entitlements.entitlement_cancelled.v1'>,
  ): Promise<void> {
    if (event.class !== EntitlementClass.PLG) return;
    const licenses = await manager.find(LicenseEntity, {
      where: { entitlementId: event.entitlementId, status: In([LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED]) },
      lock: { mode: 'pessimistic_write' },
    });
    const now = this.clock.now();
    for (const license of licenses) {
      license.status = nextLicenseStatus(license.status, 'cancel');
      license.cancelledAt = now;
      await manager.save(LicenseEntity, license);
      await this.outbox.add(manager, 'com.offboarding.provisioning.license_cancelled.v1', license.organizationId, {
        organizationId: license.organizationId,
        entitlementId: license.entitlementId,
        licenseId: license.id,
        cancelledAt: now.toISOString(),
      });
    }
  }

  listForOrganization(organizationId: string): Promise<LicenseEntity[]> {
    return this.dataSource.getRepository(LicenseEntity).find({
      where: { organizationId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }
}
