import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { EntitlementClass, LicenseStatus } from '@offboarding/contracts';
import { Outbox, UnitOfWork } from '@offboarding/messaging';
import { Clock, DomainError, ErrorCode, NotFoundError } from '@offboarding/platform';
import type { ClassResources, DeprovisionContext, EntitlementRef, ResourceCounts } from '../shared/class-resources';
import { tableOf } from '../shared/sql';
import { transitionAll } from '../shared/transitions';
import { httpUrl, parseVersion } from '../shared/validation';
import { LICENSE_TRANSITIONS, nextLicenseStatus } from './license-status';
import { LicenseEntity } from './license.entity';
import { SiteActivationEntity } from './site-activation.entity';

/** Licence keys: 20 random bytes in five groups, readable over the phone. */
function newLicenseKey(): string {
  return (randomBytes(20).toString('hex').toUpperCase().match(/.{8}/g) ?? []).join('-');
}

/** Sites are identified by origin and path, without a trailing slash, so check-ins match. */
export function normalizeSiteUrl(value: string): string {
  const url = new URL(httpUrl('site', value));
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export interface SiteCheckIn {
  licenseKey: string;
  siteUrl: string;
  version: string;
}

/** PLG: one licence per entitlement, and the sites it is activated on. */
@Injectable()
export class LicensesService implements ClassResources {
  readonly entitlementClass = EntitlementClass.PLG;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async provision(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    if (await manager.existsBy(LicenseEntity, { entitlementId: entitlement.entitlementId })) return { licenses: 0 };
    const license = manager.create(LicenseEntity, {
      id: randomUUID(),
      organizationId: entitlement.organizationId,
      entitlementId: entitlement.entitlementId,
      licenseKey: newLicenseKey(),
      product: entitlement.product,
      status: LicenseStatus.ACTIVE,
      issuedAt: now,
      cancelledAt: null,
      createdAt: now,
    });
    await manager.insert(LicenseEntity, license);
    await this.outbox.add(manager, 'com.offboarding.provisioning.license_issued.v1', entitlement.organizationId, {
      organizationId: entitlement.organizationId,
      entitlementId: entitlement.entitlementId,
      licenseId: license.id,
      issuedAt: now.toISOString(),
    });
    return { licenses: 1 };
  }

  /** Suspended licences refuse downloads and updates until the entitlement resumes. */
  async suspend(manager: EntityManager, entitlement: EntitlementRef): Promise<ResourceCounts> {
    const licenses = await transitionAll(manager, LicenseEntity, LICENSE_TRANSITIONS, 'suspend', {
      where: 'entitlement_id = :entitlementId',
      params: { entitlementId: entitlement.entitlementId },
    });
    return { licenses };
  }

  async restore(manager: EntityManager, entitlement: EntitlementRef): Promise<ResourceCounts> {
    const licenses = await transitionAll(manager, LicenseEntity, LICENSE_TRANSITIONS, 'resume', {
      where: 'entitlement_id = :entitlementId',
      params: { entitlementId: entitlement.entitlementId },
    });
    return { licenses };
  }

  /** Cancelling stops downloads and updates; installed sites keep the version they have. */
  async deprovision(manager: EntityManager, entitlement: EntitlementRef, { now }: DeprovisionContext): Promise<ResourceCounts> {
    const licenses = await manager.find(LicenseEntity, {
      where: { entitlementId: entitlement.entitlementId, status: In(LICENSE_TRANSITIONS.cancel.from) },
      lock: { mode: 'pessimistic_write' },
    });
    for (const license of licenses) {
      license.status = nextLicenseStatus(license.status, 'cancel');
      license.cancelledAt = now;
      await manager.update(LicenseEntity, { id: license.id }, { status: license.status, cancelledAt: now });
      await this.outbox.add(manager, 'com.offboarding.provisioning.license_cancelled.v1', license.organizationId, {
        organizationId: license.organizationId,
        entitlementId: license.entitlementId,
        licenseId: license.id,
        cancelledAt: now.toISOString(),
      });
    }
    return { licenses: licenses.length };
  }

  /** `deprovision` for several entitlements: one locking read and one update for all their licences. */
  async deprovisionAll(
    manager: EntityManager,
    items: readonly { entitlement: EntitlementRef; context: DeprovisionContext }[],
    each: (index: number, counts: ResourceCounts) => Promise<void>,
  ): Promise<void> {
    const ids = [...new Set(items.map((item) => item.entitlement.entitlementId))];
    const licenses = await manager.find(LicenseEntity, {
      where: { entitlementId: In(ids), status: In(LICENSE_TRANSITIONS.cancel.from) },
      order: { id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    // In the order `deprovision` would meet them: by entitlement as the items come, a licence once.
    const taken = new Set<string>();
    const perItem = items.map(({ entitlement, context }) => {
      const mine = licenses.filter((license) => license.entitlementId === entitlement.entitlementId && !taken.has(license.id));
      for (const license of mine) {
        taken.add(license.id);
        license.status = nextLicenseStatus(license.status, 'cancel');
        license.cancelledAt = context.now;
      }
      return mine;
    });
    const changed = perItem.flat();
    if (changed.length > 0) {
      const values = changed.map((_, i) => `($${i * 3 + 1}::uuid, $${i * 3 + 2}::varchar, $${i * 3 + 3}::timestamptz)`);
      await manager.query(
        `UPDATE ${tableOf(manager, LicenseEntity)} AS license
            SET status = changed.status, cancelled_at = changed.cancelled_at
           FROM (VALUES ${values.join(', ')}) AS changed (id, status, cancelled_at)
          WHERE license.id = changed.id`,
        changed.flatMap((license) => [license.id, license.status, license.cancelledAt]),
      );
    }
    for (const [index, mine] of perItem.entries()) {
      for (const license of mine) {
        await this.outbox.add(manager, 'com.offboarding.provisioning.license_cancelled.v1', license.organizationId, {
          organizationId: license.organizationId,
          entitlementId: license.entitlementId,
          licenseId: license.id,
          cancelledAt: items[index].context.now.toISOString(),
        });
      }
      await each(index, { licenses: mine.length });
    }
  }

  /** The same key works again after reactivation, so installed sites need no new configuration. */
  async reprovision(manager: EntityManager, entitlement: EntitlementRef): Promise<ResourceCounts> {
    const licenses = await transitionAll(manager, LicenseEntity, LICENSE_TRANSITIONS, 'reactivate', {
      where: 'entitlement_id = :entitlementId',
      params: { entitlementId: entitlement.entitlementId },
      set: { cancelledAt: null },
    });
    return { licenses };
  }

  findByKey(manager: EntityManager, licenseKey: string): Promise<LicenseEntity | null> {
    const key = licenseKey.trim().toUpperCase();
    if (!/^[0-9A-F]{8}(-[0-9A-F]{8}){4}$/.test(key)) return Promise.resolve(null);
    return manager.findOneBy(LicenseEntity, { licenseKey: key });
  }

  /**
   * Records that a site runs the plugin at a version (the update check calls this on every
   * check-in, whatever the licence's state: a cancelled licence's sites keep their version).
   */
  async recordCheckIn(manager: EntityManager, license: LicenseEntity, siteUrl: string, version: string, now: Date): Promise<SiteActivationEntity> {
    const site = normalizeSiteUrl(siteUrl);
    const installedVersion = parseVersion('version', version);
    const [row] = await manager.query<{ id: string }[]>(
      `INSERT INTO ${tableOf(manager, SiteActivationEntity)}
         (id, organization_id, license_id, site_url, installed_version, last_check_in_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $6)
       ON CONFLICT (license_id, site_url) DO UPDATE
         SET installed_version = EXCLUDED.installed_version, last_check_in_at = EXCLUDED.last_check_in_at, updated_at = EXCLUDED.updated_at
       RETURNING id`,
      [randomUUID(), license.organizationId, license.id, site, installedVersion, now],
    );
    if (!row) throw new Error('site activation upsert returned nothing');
    return manager.findOneByOrFail(SiteActivationEntity, { id: row.id });
  }

  /** A site activated by hand (admin console); only an active licence takes new sites. */
  async recordSiteActivation(checkIn: SiteCheckIn): Promise<SiteActivationEntity> {
    return this.unitOfWork.run(async ({ manager }) => {
      const license = await this.findByKey(manager, checkIn.licenseKey);
      if (!license) throw new NotFoundError('licence', 'with that key');
      if (license.status !== LicenseStatus.ACTIVE) {
        throw new DomainError(ErrorCode.INVALID_TRANSITION, `licence ${license.id} is ${license.status}: no new site activations`, {
          entity: 'licence',
          currentStatus: license.status,
          action: 'activate site',
        });
      }
      return this.recordCheckIn(manager, license, checkIn.siteUrl, checkIn.version, this.clock.now());
    });
  }

  listForOrganization(organizationId: string): Promise<LicenseEntity[]> {
    return this.dataSource.getRepository(LicenseEntity).find({
      where: { organizationId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  activationsOf(licenseId: string): Promise<SiteActivationEntity[]> {
    return this.dataSource.getRepository(SiteActivationEntity).find({
      where: { licenseId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }
}
