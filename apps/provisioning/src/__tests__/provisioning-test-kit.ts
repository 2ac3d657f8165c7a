import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  DEFAULT_CANCELLATION_POLICY,
  eventCatalog,
  eventSource,
  type EntitlementClass,
  type EventPayload,
  type EventType,
} from '@offboarding/contracts';
import { type BatchEventHandler, type EventEnvelope, type EventHandler, Outbox, recordAllInInbox, recordInInbox, UnitOfWork } from '@offboarding/messaging';
import { openServiceDatabase, type ServiceDatabase } from '@offboarding/persistence';
import { Clock, createLogger, EventHandlerRegistry, JobScheduler, loadServiceConfig, MaskingKeys } from '@offboarding/platform';
import { LocalDirectoryStorage } from '@offboarding/storage';
import { testDatabaseTarget, uniqueSchema } from '@offboarding/testing';
import { AffiliatesService } from '../affiliates/affiliates.service';
import { loadProvisioningConfig } from '../config/provisioning-config';
import { EducationService } from '../education/education.service';
import { entities } from '../entities';
import { EnvironmentTeardownJob } from '../environments/environment-teardown.job';
import { EnvironmentsService } from '../environments/environments.service';
import { FulfilmentsService } from '../fulfilments/fulfilments.service';
import { KnownEntitlementsService } from '../known-entitlements/known-entitlements.service';
import { EntitlementLifecycleEventHandlers } from '../lifecycle/entitlement-lifecycle.events';
import { EntitlementLifecycleService } from '../lifecycle/entitlement-lifecycle.service';
import { LicensesService } from '../licenses/licenses.service';
import { PluginReleasesService } from '../licenses/plugin-releases.service';
import { migrations } from '../migrations';
import { ProvisioningPoliciesService } from '../policies/provisioning-policies.service';
import { MaskingService } from '../privacy/masking.service';
import { PrivacyEventHandlers } from '../privacy/privacy.events';
import { PurgeService } from '../privacy/purge.service';
import { ServiceContractsService } from '../service-contracts/service-contracts.service';

export class FixedClock extends Clock {
  constructor(private current: Date) {
    super();
  }
  now(): Date {
    return new Date(this.current);
  }
  advanceDays(days: number): void {
    this.current = new Date(this.current.getTime() + days * 86_400_000);
  }
}

/** A known 256-bit key, as the retention service would hand out. */
export const TEST_MASKING_KEY = Buffer.alloc(32, 7);

export class FixedMaskingKeys extends MaskingKeys {
  readonly asked: string[] = [];
  resolve(maskingKeyRef: string): Promise<Buffer> {
    this.asked.push(maskingKeyRef);
    return Promise.resolve(TEST_MASKING_KEY);
  }
}

export function envelope<T extends EventType>(type: T, data: EventPayload<T>, id: string = randomUUID()): EventEnvelope<T> {
  return {
    id,
    type,
    source: eventSource(eventCatalog[type].producer),
    subject: (data as { organizationId: string }).organizationId,
    time: new Date().toISOString(),
    specversion: '1.0',
    data,
  };
}

/** Payloads of the entitlements service's lifecycle events for one entitlement. */
export function entitlementEvents(organizationId: string, entitlementClass: EntitlementClass, product = 'Pro Plan', entitlementId = randomUUID()) {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    entitlementId,
    granted: () => envelope('com.offboarding.entitlements.entitlement_granted.v1', { organizationId, entitlementId, class: entitlementClass, product, grantedAt: at }),
    suspended: () =>
      envelope('com.offboarding.entitlements.entitlement_suspended.v1', {
        organizationId,
        entitlementId,
        class: entitlementClass,
        reason: 'NON_PAYMENT',
        suspendedAt: at,
        graceEndsAt: '2026-01-31T00:00:00.000Z',
      }),
    resumed: () => envelope('com.offboarding.entitlements.entitlement_resumed.v1', { organizationId, entitlementId, class: entitlementClass, resumedAt: at }),
    cancelled: (cancelledAt = '2026-02-01T00:00:00.000Z', dataRetentionDays = DEFAULT_CANCELLATION_POLICY.dataRetentionDays) =>
      envelope('com.offboarding.entitlements.entitlement_cancelled.v1', {
        organizationId,
        entitlementId,
        class: entitlementClass,
        reason: 'CUSTOMER_REQUEST',
        cancelledAt,
        cancelledBy: 'staff-1',
        policy: { ...DEFAULT_CANCELLATION_POLICY, dataRetentionDays },
        reactivatableUntil: '2026-05-01T00:00:00.000Z',
        portalVisibleUntil: '2026-05-01T00:00:00.000Z',
        remainingActiveEntitlements: 0,
      }),
    reactivated: () =>
      envelope('com.offboarding.entitlements.entitlement_reactivated.v1', {
        organizationId,
        entitlementId,
        class: entitlementClass,
        product,
        reference: 'ORDER-42',
        reactivatedAt: at,
        reactivatedBy: 'staff-1',
      }),
  };
}

export type ProvisioningKit = Awaited<ReturnType<typeof openProvisioningKit>>;

/** A migrated schema of its own and every provisioning service wired as the Nest modules wire them. */
export async function openProvisioningKit(start = new Date('2026-01-01T09:00:00Z')) {
  const db: ServiceDatabase = await openServiceDatabase({
    service: 'provisioning',
    schema: uniqueSchema('provisioning'),
    entities,
    migrations,
    migrate: true,
    target: testDatabaseTarget(),
  });
  const storageRoot = await mkdtemp(path.join(tmpdir(), 'provisioning-storage-'));
  const dataSource = db.dataSource;
  const clock = new FixedClock(start);
  const outbox = new Outbox('provisioning', () => clock.now());
  const unitOfWork = new UnitOfWork(dataSource, outbox);
  const config = loadProvisioningConfig({ EDU_SEATS_PER_ENTITLEMENT: '3', AFFILIATE_LANDING_URL: 'https://partners.example.com/welcome' });
  const storage = new LocalDirectoryStorage(storageRoot);
  const logger = createLogger('provisioning', 'silent');
  const scheduler = new JobScheduler(dataSource, clock, loadServiceConfig('provisioning', {}), logger);
  const maskingKeys = new FixedMaskingKeys();

  const knownEntitlements = new KnownEntitlementsService(dataSource);
  const policies = new ProvisioningPoliciesService(dataSource, unitOfWork, clock);
  const licenses = new LicensesService(dataSource, outbox, unitOfWork, clock);
  const releases = new PluginReleasesService(dataSource, unitOfWork, clock);
  const environments = new EnvironmentsService(dataSource, outbox, unitOfWork, clock, storage, config);
  const serviceContracts = new ServiceContractsService(dataSource, unitOfWork, outbox, clock);
  const affiliates = new AffiliatesService(dataSource, unitOfWork, outbox, clock, knownEntitlements, config);
  const education = new EducationService(dataSource, unitOfWork, clock, knownEntitlements, config);
  const fulfilments = new FulfilmentsService(dataSource, unitOfWork, clock);
  const lifecycle = new EntitlementLifecycleService(
    knownEntitlements,
    policies,
    outbox,
    clock,
    licenses,
    environments,
    serviceContracts,
    affiliates,
    education,
    fulfilments,
  );
  const masking = new MaskingService(maskingKeys, outbox, affiliates, clock);
  const purge = new PurgeService(dataSource, unitOfWork, storage, clock, scheduler, logger);
  const teardownJob = new EnvironmentTeardownJob(scheduler, dataSource, unitOfWork, environments);

  const registry = new EventHandlerRegistry();
  new EntitlementLifecycleEventHandlers(registry, lifecycle).onModuleInit();
  new PrivacyEventHandlers(registry, masking, purge).onModuleInit();
  const handlers = registry.all();

  /** What the consumer does with one delivery: inbox row and effect in one transaction. */
  async function deliver<T extends EventType>(event: EventEnvelope<T>): Promise<boolean> {
    const handler: EventHandler<T> | undefined = handlers[event.type];
    if (!handler) throw new Error(`provisioning does not handle ${event.type}`);
    return dataSource.transaction(async (manager) => {
      if (!(await recordInInbox(manager, event))) return false;
      await handler(event, manager);
      return true;
    });
  }

  /**
   * What the consumer does with a run of consecutive events of one type that has a batch form:
   * their inbox rows and the batch form's effects in one transaction. Answers which were new.
   */
  async function deliverRun<T extends EventType>(events: EventEnvelope<T>[]): Promise<boolean[]> {
    const types = new Set(events.map((event) => event.type));
    const [type] = types;
    const batch: BatchEventHandler<T> | undefined = registry.allBatches()[type];
    if (types.size !== 1 || !batch) throw new Error(`provisioning has no batch form for ${[...types].join(', ')}`);
    return dataSource.transaction(async (manager) => {
      const fresh = await recordAllInInbox(manager, events);
      const isNew = events.map((event) => fresh.delete(event.id));
      await batch(
        events.filter((_, index) => isNew[index]),
        manager,
      );
      return isNew;
    });
  }

  const q = (table: string) => `"${db.schema}".${table}`;
  return {
    db,
    dataSource,
    clock,
    storage,
    storageRoot,
    maskingKeys,
    registry,
    knownEntitlements,
    policies,
    licenses,
    releases,
    environments,
    serviceContracts,
    affiliates,
    education,
    fulfilments,
    lifecycle,
    masking,
    purge,
    teardownJob,
    logger,
    deliver,
    deliverRun,
    /** Statuses of one table's rows for an entitlement, oldest first. */
    async statuses(table: string, entitlementId: string): Promise<string[]> {
      const rows = await dataSource.query<{ status: string }[]>(`SELECT status FROM ${q(table)} WHERE entitlement_id = $1 ORDER BY created_at, id`, [entitlementId]);
      return rows.map((row) => row.status);
    },
    async count(table: string, organizationId: string): Promise<number> {
      const [row] = await dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM ${q(table)} WHERE organization_id = $1`, [organizationId]);
      return Number(row.n);
    },
    async outbox(organizationId?: string): Promise<{ type: string; payload: Record<string, unknown> }[]> {
      return dataSource.query(
        `SELECT type, payload FROM ${q('outbox')} ${organizationId ? 'WHERE message_key = $1' : ''} ORDER BY seq`,
        organizationId ? [organizationId] : [],
      );
    },
    async close(): Promise<void> {
      await purge.onApplicationShutdown();
      if (db.target.kind === 'postgres') await dataSource.query(`DROP SCHEMA "${db.schema}" CASCADE`);
      await db.close();
      await rm(storageRoot, { recursive: true, force: true });
    },
  };
}
