import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In, MoreThanOrEqual, type EntityManager } from 'typeorm';
import { EntitlementClass } from '@offboarding/contracts';
import { Outbox, UnitOfWork } from '@offboarding/messaging';
import { Clock, DomainError, ErrorCode, InvalidTransitionError, NotFoundError } from '@offboarding/platform';
import { checkSignedLink, ObjectStorage, signedLinkUrl, type SignedLinkCheck } from '@offboarding/storage';
import { PROVISIONING_CONFIG, type ProvisioningConfig } from '../config/provisioning-config';
import type { ClassResources, DeprovisionContext, EntitlementRef, ResourceCounts } from '../shared/class-resources';
import { transitionAll } from '../shared/transitions';
import { isUuid, optionalEmail, optionalText, requiredText } from '../shared/validation';
import { ENVIRONMENT_TRANSITIONS, EnvironmentStatus, EXPORTABLE_STATUSES, nextEnvironmentStatus } from './environment-status';
import { EnvironmentExportEntity } from './environment-export.entity';
import { EnvironmentEntity } from './environment.entity';

export type TeardownOutcome = { kind: 'torn-down'; environment: EnvironmentEntity } | { kind: 'blocked'; environment: EnvironmentEntity };

/** Refusal when an environment's data is neither exported nor waived. */
export class TeardownBlockedError extends DomainError {
  constructor(environmentId: string) {
    super(
      ErrorCode.INVALID_TRANSITION,
      `environment ${environmentId} cannot be torn down: export its data first (exportEnvironmentData) or waive the export (waiveEnvironmentExport)`,
      { entity: 'environment', id: environmentId, currentStatus: EnvironmentStatus.DEPROVISIONED, action: 'tear down', blockedBy: 'EXPORT_REQUIRED' },
    );
  }
}

/** ENV: hosted environments, their data exports, and their teardown once the data is safe. */
@Injectable()
export class EnvironmentsService implements ClassResources {
  readonly entitlementClass = EntitlementClass.ENV;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly storage: ObjectStorage,
    @Inject(PROVISIONING_CONFIG) private readonly config: ProvisioningConfig,
  ) {}

  async provision(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    if (await manager.existsBy(EnvironmentEntity, { entitlementId: entitlement.entitlementId })) return { environments: 0 };
    await this.provisionNew(manager, entitlement, now);
    return { environments: 1 };
  }

  /**
   * A provisioning request for a new environment. The step that allocates it is immediate in this
   * product, so the environment passes PROVISIONING and is ACTIVE when the transaction commits.
   */
  private async provisionNew(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<EnvironmentEntity> {
    const name = `env-${randomBytes(4).toString('hex')}`;
    const environment = manager.create(EnvironmentEntity, {
      id: randomUUID(),
      organizationId: entitlement.organizationId,
      entitlementId: entitlement.entitlementId,
      name,
      url: `https://${name}.${this.config.environmentDomain}`,
      region: this.config.environmentRegion,
      status: EnvironmentStatus.PROVISIONING,
      contactName: null,
      contactEmail: null,
      exportRequiredSince: now,
      deprovisionedAt: null,
      teardownDueAt: null,
      teardownBlockedAt: null,
      exportWaivedAt: null,
      exportWaivedBy: null,
      exportWaiverReason: null,
      tornDownAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await manager.insert(EnvironmentEntity, environment);
    environment.status = nextEnvironmentStatus(environment.status, 'activate');
    await manager.update(EnvironmentEntity, { id: environment.id }, { status: environment.status, updatedAt: now });
    return environment;
  }

  async suspend(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    const environments = await transitionAll(manager, EnvironmentEntity, ENVIRONMENT_TRANSITIONS, 'suspend', {
      where: 'entitlement_id = :entitlementId',
      params: { entitlementId: entitlement.entitlementId },
      set: { updatedAt: now },
    });
    return { environments };
  }

  async restore(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    const environments = await transitionAll(manager, EnvironmentEntity, ENVIRONMENT_TRANSITIONS, 'resume', {
      where: 'entitlement_id = :entitlementId',
      params: { entitlementId: entitlement.entitlementId },
      set: { updatedAt: now },
    });
    return { environments };
  }

  /** Stops the environment and schedules its teardown; the data stays until then. */
  async deprovision(manager: EntityManager, entitlement: EntitlementRef, context: DeprovisionContext): Promise<ResourceCounts> {
    const environments = await transitionAll(manager, EnvironmentEntity, ENVIRONMENT_TRANSITIONS, 'deprovision', {
      where: 'entitlement_id = :entitlementId',
      params: { entitlementId: entitlement.entitlementId },
      set: { deprovisionedAt: context.now, teardownDueAt: context.teardownDueAt, teardownBlockedAt: null, updatedAt: context.now },
    });
    return { environments };
  }

  /**
   * A deprovisioned environment comes back as it was; its old waiver and exports no longer count
   * for a later teardown. If every environment of the entitlement was torn down, a new one is
   * provisioned.
   */
  async reprovision(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    let environments = await transitionAll(manager, EnvironmentEntity, ENVIRONMENT_TRANSITIONS, 'reactivate', {
      where: 'entitlement_id = :entitlementId',
      params: { entitlementId: entitlement.entitlementId },
      set: {
        deprovisionedAt: null,
        teardownDueAt: null,
        teardownBlockedAt: null,
        exportWaivedAt: null,
        exportWaivedBy: null,
        exportWaiverReason: null,
        exportRequiredSince: now,
        updatedAt: now,
      },
    });
    const live = await manager.existsBy(EnvironmentEntity, {
      entitlementId: entitlement.entitlementId,
      status: In([EnvironmentStatus.PROVISIONING, EnvironmentStatus.ACTIVE, EnvironmentStatus.SUSPENDED]),
    });
    if (!live) {
      await this.provisionNew(manager, entitlement, now);
      environments += 1;
    }
    return { environments };
  }

  /**
   * Writes the environment's data to object storage as JSON lines (streamed, hashed as written),
   * then records the artifact and publishes it. A failed commit removes the file again.
   */
  async exportData(environmentId: string, actor: string): Promise<EnvironmentExportEntity> {
    const environment = await this.require(this.dataSource.manager, environmentId);
    this.assertExportable(environment);
    const exportId = randomUUID();
    const generatedAt = this.clock.now();
    const key = `environment-exports/${environment.organizationId}/${environment.id}/${exportId}.jsonl`;
    const stored = await this.storage.put(key, Readable.from(this.exportLines(environment, exportId, generatedAt)));
    try {
      return await this.unitOfWork.run(async ({ manager, publish }) => {
        const current = await this.require(manager, environmentId, true);
        this.assertExportable(current);
        const now = this.clock.now();
        const artifact = manager.create(EnvironmentExportEntity, {
          id: exportId,
          organizationId: current.organizationId,
          environmentId: current.id,
          storageKey: stored.key,
          sizeBytes: stored.size,
          sha256: stored.sha256,
          createdBy: actor,
          createdAt: now,
        });
        await manager.insert(EnvironmentExportEntity, artifact);
        if (current.teardownBlockedAt) await manager.update(EnvironmentEntity, { id: current.id }, { teardownBlockedAt: null, updatedAt: now });
        await publish('com.offboarding.provisioning.environment_export_created.v1', current.organizationId, {
          organizationId: current.organizationId,
          environmentId: current.id,
          exportId,
          storageKey: stored.key,
          sizeBytes: stored.size,
          sha256: stored.sha256,
          createdBy: actor,
          createdAt: now.toISOString(),
        });
        return artifact;
      });
    } catch (error) {
      await this.storage.delete(stored.key).catch(() => undefined);
      throw error;
    }
  }

  private *exportLines(environment: EnvironmentEntity, exportId: string, generatedAt: Date): Generator<string> {
    yield `${JSON.stringify({ kind: 'manifest', format: 'offboarding.environment-export', version: 1, exportId, generatedAt: generatedAt.toISOString() })}\n`;
    yield `${JSON.stringify({
      kind: 'environment',
      id: environment.id,
      organizationId: environment.organizationId,
      entitlementId: environment.entitlementId,
      name: environment.name,
      url: environment.url,
      region: environment.region,
      status: environment.status,
      contactName: environment.contactName,
      contactEmail: environment.contactEmail,
      createdAt: environment.createdAt.toISOString(),
    })}\n`;
  }

  private assertExportable(environment: EnvironmentEntity): void {
    if (!EXPORTABLE_STATUSES.includes(environment.status)) throw new InvalidTransitionError('environment', environment.status, 'export');
  }

  /** An admin lets the environment be torn down without an export; the reason stays here, not in events. */
  async waiveExport(environmentId: string, reasonInput: string, actor: string): Promise<EnvironmentEntity> {
    const reason = requiredText('reason', reasonInput, 2000);
    return this.unitOfWork.run(async ({ manager, publish }) => {
      const environment = await this.require(manager, environmentId, true);
      if (environment.status === EnvironmentStatus.TORN_DOWN) throw new InvalidTransitionError('environment', environment.status, 'waive the export of');
      const now = this.clock.now();
      Object.assign(environment, { exportWaivedAt: now, exportWaivedBy: actor, exportWaiverReason: reason, teardownBlockedAt: null, updatedAt: now });
      await manager.save(EnvironmentEntity, environment);
      await publish('com.offboarding.provisioning.environment_export_waived.v1', environment.organizationId, {
        organizationId: environment.organizationId,
        environmentId: environment.id,
        waivedBy: actor,
        waivedAt: now.toISOString(),
      });
      return environment;
    });
  }

  /** An admin tears a deprovisioned environment down now; refused with EXPORT_REQUIRED details while blocked. */
  async tearDown(environmentId: string, actor: string): Promise<EnvironmentEntity> {
    return this.unitOfWork.run(async ({ manager }) => {
      const environment = await this.require(manager, environmentId, true);
      nextEnvironmentStatus(environment.status, 'tearDown');
      const outcome = await this.tearDownLocked(manager, environment, actor, this.clock.now());
      if (outcome.kind === 'blocked') throw new TeardownBlockedError(environment.id);
      return outcome.environment;
    });
  }

  /**
   * Tears down a locked, deprovisioned environment if its data was exported since it last held new
   * data, or the export was waived; otherwise leaves it and says it is blocked.
   */
  async tearDownLocked(manager: EntityManager, environment: EnvironmentEntity, actor: string, now: Date): Promise<TeardownOutcome> {
    const latestExport = await manager.findOne(EnvironmentExportEntity, {
      where: { environmentId: environment.id, createdAt: MoreThanOrEqual(environment.exportRequiredSince) },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    if (!latestExport && !environment.exportWaivedAt) return { kind: 'blocked', environment };
    environment.status = nextEnvironmentStatus(environment.status, 'tearDown');
    environment.tornDownAt = now;
    environment.teardownBlockedAt = null;
    environment.updatedAt = now;
    await manager.save(EnvironmentEntity, environment);
    await this.outbox.add(manager, 'com.offboarding.provisioning.environment_torn_down.v1', environment.organizationId, {
      organizationId: environment.organizationId,
      entitlementId: environment.entitlementId,
      environmentId: environment.id,
      exportId: latestExport?.id ?? null,
      exportWaived: latestExport === null,
      tornDownBy: actor,
      tornDownAt: now.toISOString(),
    });
    return { kind: 'torn-down', environment };
  }

  async updateContact(environmentId: string, contactName: string | null | undefined, contactEmail: string | null | undefined): Promise<EnvironmentEntity> {
    const name = optionalText('contactName', contactName, 200);
    const email = optionalEmail('contactEmail', contactEmail);
    return this.unitOfWork.run(async ({ manager }) => {
      const environment = await this.require(manager, environmentId, true);
      if (environment.status === EnvironmentStatus.TORN_DOWN) throw new InvalidTransitionError('environment', environment.status, 'change the contact of');
      Object.assign(environment, { contactName: name, contactEmail: email, updatedAt: this.clock.now() });
      return manager.save(EnvironmentEntity, environment);
    });
  }

  async require(manager: EntityManager, environmentId: string, lock = false): Promise<EnvironmentEntity> {
    const environment = isUuid(environmentId)
      ? await manager.findOne(EnvironmentEntity, { where: { id: environmentId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) })
      : null;
    if (!environment) throw new NotFoundError('environment', environmentId);
    return environment;
  }

  listForOrganization(organizationId: string): Promise<EnvironmentEntity[]> {
    return this.dataSource.getRepository(EnvironmentEntity).find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * A signed, expiring link to download an export artifact ("provide the export to the customer"):
   * `PUBLIC_BASE_URL/environment-exports/<id>/download?expires=…&signature=…`, valid
   * EXPORT_URL_TTL_SECONDS from now. Signed over `environment-export:<id>`, so a data-export link
   * never opens one of these.
   */
  downloadLinkOf(artifact: EnvironmentExportEntity): { url: string; expiresAt: Date } {
    // Whole seconds: the link carries its expiry in seconds, and the API shows the same instant.
    const expiresAt = new Date(Math.floor(this.clock.now().getTime() / 1000 + this.config.exportUrlTtlSeconds) * 1000);
    const path = `/environment-exports/${encodeURIComponent(artifact.id)}/download`;
    return { url: signedLinkUrl(this.config.publicBaseUrl, path, this.config.exportUrlSecret, linkResource(artifact.id), expiresAt), expiresAt };
  }

  checkDownloadLink(exportId: string, expires: string | undefined, signature: string | undefined): SignedLinkCheck {
    return checkSignedLink(this.config.exportUrlSecret, linkResource(exportId), expires, signature, this.clock.now());
  }

  async findExport(exportId: string): Promise<EnvironmentExportEntity | null> {
    return isUuid(exportId) ? this.dataSource.getRepository(EnvironmentExportEntity).findOneBy({ id: exportId }) : null;
  }

  exportsOf(environmentId: string): Promise<EnvironmentExportEntity[]> {
    return this.dataSource.getRepository(EnvironmentExportEntity).find({ where: { environmentId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Whether a teardown would go ahead now (an export since the data last changed, or a waiver). */
  async teardownCleared(environment: EnvironmentEntity): Promise<boolean> {
    if (environment.exportWaivedAt) return true;
    return this.dataSource
      .getRepository(EnvironmentExportEntity)
      .existsBy({ environmentId: environment.id, createdAt: MoreThanOrEqual(environment.exportRequiredSince) });
  }
}

const linkResource = (exportId: string): string => `environment-export:${exportId}`;
