import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import type { EntityManager } from 'typeorm';
import { eventCatalog, eventSource, type EventPayload, type EventType } from '@offboarding/contracts';
import { type EventEnvelope, Outbox, UnitOfWork } from '@offboarding/messaging';
import { openServiceDatabase, type ServiceDatabase } from '@offboarding/persistence';
import { Clock, DEVELOPMENT_INTERNAL_TOKEN, EventHandlerRegistry, type JobScheduler, loadServiceConfig, type ScheduledJob } from '@offboarding/platform';
import { LocalDirectoryStorage } from '@offboarding/storage';
import { testDatabaseTarget, uniqueSchema } from '@offboarding/testing';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { entities } from '../entities';
import { DataExportService } from '../exports/data-export.service';
import { ServiceCollectionsClient } from '../exports/service-collections';
import { MaskingService } from '../masking/masking.service';
import { migrations } from '../migrations';
import { PurgeService } from '../purge/purge.service';
import { RetentionAdminService } from '../purge/retention-admin.service';
import { RetentionWiring } from '../retention.wiring';
import { loadRetentionConfig, type RetentionConfig } from '../shared/retention-config';
import { RetentionJournal } from '../shared/retention-journal';
import { MilestoneProgress } from '../timeline/milestones';
import { TimelineService } from '../timeline/timeline.service';

export class TestClock extends Clock {
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

/**
 * The other services' internal export endpoints, in memory: each answers the NDJSON protocol of
 * libs/platform's OrganizationExportController for the rows a test gives it (or generates).
 */
export class FakeServices {
  readonly collections: Record<string, Record<string, { columns: string[]; rows: (organizationId: string) => Iterable<Record<string, unknown>> }>> = {
    entitlements: {},
    provisioning: {},
    identity: {},
  };
  /** `<service>/<collection>` streams that break off after their first line, like a crashed service. */
  readonly cutAfterFirstLine = new Set<string>();
  /** `<service>/<collection>` streams that stop after this many rows until `released` settles (a slow service). */
  readonly holds = new Map<string, { afterRows: number; released: Promise<void> }>();
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      const [, service, , , organizationId, tail] = url.pathname.split('/');
      const collections = this.collections[service];
      if (!collections || request.headers['x-offboarding-internal-token'] !== 'development-internal-token') {
        response.writeHead(401).end();
        return;
      }
      if (tail === 'collections') {
        const body = Object.fromEntries(Object.entries(collections).map(([name, c]) => [name, { rows: [...c.rows(organizationId)].length, columns: c.columns }]));
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ collections: body }));
        return;
      }
      const name = url.searchParams.get('collection') ?? '';
      const collection = collections[name];
      if (!collection) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      if (this.cutAfterFirstLine.has(`${service}/${name}`)) {
        const [first] = collection.rows(organizationId);
        response.write(`${JSON.stringify({ collection: name, row: first })}\n`, () => response.destroy());
        return;
      }
      const iterator = collection.rows(organizationId)[Symbol.iterator]();
      const hold = this.holds.get(`${service}/${name}`);
      let written = 0;
      let held = false;
      const pump = (): void => {
        for (;;) {
          if (hold && !held && written === hold.afterRows) {
            held = true;
            void hold.released.then(pump);
            return;
          }
          written += 1;
          const next = iterator.next();
          if (next.done) {
            response.end();
            return;
          }
          if (!response.write(`${JSON.stringify({ collection: name, row: next.value })}\n`)) {
            response.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

export interface Harness {
  db: ServiceDatabase;
  clock: TestClock;
  config: RetentionConfig;
  storage: LocalDirectoryStorage;
  services: FakeServices;
  auditTrail: AuditTrailService;
  timeline: TimelineService;
  admin: RetentionAdminService;
  purge: PurgeService;
  exports: DataExportService;
  masking: MaskingService;
  jobs: Map<string, ScheduledJob>;
  /** Delivers another service's event as the consumer would: trail + reaction in one inbox transaction. */
  deliver<T extends EventType>(type: T, data: EventPayload<T>): Promise<EventEnvelope<T>>;
  /** Delivers consecutive events as the consumer applies a run of them: one transaction, one call of their batch form. */
  deliverRun(events: { type: EventType; data: unknown }[]): Promise<void>;
  runJob(name: 'timeline-tick' | 'purge'): Promise<number>;
  /** Retention's own events of an organization, oldest first. */
  published(organizationId: string): Promise<{ type: string; payload: Record<string, unknown> }[]>;
  close(): Promise<void>;
}

export async function openHarness(options: { now: string; database?: ServiceDatabase }): Promise<Harness> {
  const db =
    options.database ??
    (await openServiceDatabase({ service: 'retention', schema: uniqueSchema('retention'), entities, migrations, migrate: true, target: testDatabaseTarget() }));
  const clock = new TestClock(new Date(options.now));
  const logger = pino({ level: 'silent' });
  const services = new FakeServices();
  await services.start();
  const config: RetentionConfig = {
    ...loadRetentionConfig({ NODE_ENV: 'test' }),
    internalUrls: { entitlements: `${services.url}/entitlements`, provisioning: `${services.url}/provisioning`, identity: `${services.url}/identity` },
  };
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'retention-storage-'));
  const storage = new LocalDirectoryStorage(storageDir);
  const outbox = new Outbox('retention', () => clock.now());
  const unitOfWork = new UnitOfWork(db.dataSource, outbox);
  const auditTrail = new AuditTrailService(db.dataSource, clock);
  const journal = new RetentionJournal(auditTrail, clock);
  const progress = new MilestoneProgress(journal);
  const masking = new MaskingService(db.dataSource, journal, progress, clock, logger);
  const timeline = new TimelineService(db.dataSource, unitOfWork, journal, masking, progress, clock, config, logger);
  const admin = new RetentionAdminService(unitOfWork, timeline, journal, clock);
  const purge = new PurgeService(db.dataSource, unitOfWork, journal, storage, clock, logger);
  const exports = new DataExportService(db.dataSource, unitOfWork, journal, storage, new ServiceCollectionsClient(config, DEVELOPMENT_INTERNAL_TOKEN), clock, config, logger, loadServiceConfig('retention', {}));
  const registry = new EventHandlerRegistry();
  const jobs = new Map<string, ScheduledJob>();
  const scheduler = { register: (job: ScheduledJob) => jobs.set(job.name, job) } as unknown as JobScheduler;
  new RetentionWiring(registry, scheduler, outbox, auditTrail, timeline, masking, purge, exports).onModuleInit();
  const handlers = registry.all() as Record<string, (event: EventEnvelope, manager: EntityManager) => Promise<void>>;
  const batches = registry.allBatches() as Record<string, (events: EventEnvelope[], manager: EntityManager) => Promise<void>>;
  const envelopeOf = (type: EventType, data: unknown) =>
    ({
      id: randomUUID(),
      type,
      source: eventSource(eventCatalog[type].producer),
      subject: (data as { organizationId: string }).organizationId,
      time: clock.now().toISOString(),
      specversion: '1.0',
      data,
    }) as EventEnvelope;
  return {
    db,
    clock,
    config,
    storage,
    services,
    auditTrail,
    timeline,
    admin,
    purge,
    exports,
    masking,
    jobs,
    async deliver(type, data) {
      const envelope = envelopeOf(type, data) as EventEnvelope<typeof type>;
      await db.dataSource.transaction((manager) => handlers[type](envelope as EventEnvelope, manager));
      return envelope;
    },
    async deliverRun(events) {
      const envelopes = events.map(({ type, data }) => envelopeOf(type, data));
      const batch = batches[envelopes[0].type];
      if (!batch || envelopes.some((envelope) => batches[envelope.type] !== batch)) throw new Error('these events share no batch form');
      await db.dataSource.transaction((manager) => batch(envelopes, manager));
    },
    async runJob(name) {
      return (await jobs.get(name)!.run({ now: clock.now(), logger })).processed;
    },
    published: (organizationId) =>
      db.dataSource.query(`SELECT type, payload FROM "${db.schema}".outbox WHERE message_key = $1 ORDER BY seq`, [organizationId]),
    async close() {
      await purge.onApplicationShutdown();
      await exports.onApplicationShutdown();
      await services.stop();
      fs.rmSync(storageDir, { recursive: true, force: true });
      if (options.database) return;
      if (db.target.kind === 'postgres') await db.dataSource.query(`DROP SCHEMA "${db.schema}" CASCADE`);
      await db.close();
    },
  };
}

export const policy = { portalVisibilityDays: 90, dataRetentionDays: 365, allowReactivation: true, reactivationWindowDays: 90, refundEligible: false, gracePeriodDays: 30 };

/** organization_created for a new organization of a type; returns its id. */
export async function createOrganization(h: Harness, type: 'CUSTOMER' | 'VENDOR' | 'PARTNER' = 'CUSTOMER'): Promise<string> {
  const organizationId = randomUUID();
  await h.deliver('com.offboarding.entitlements.organization_created.v1', { organizationId, type, vendorId: null, createdAt: h.clock.now().toISOString() });
  return organizationId;
}

/** offboarding_started with day 0 today, and the last entitlement cancelled. */
export async function startOffboarding(h: Harness, organizationId: string, organizationType: 'CUSTOMER' | 'VENDOR'): Promise<string> {
  const caseId = randomUUID();
  const now = h.clock.now();
  await h.deliver('com.offboarding.entitlements.offboarding_started.v1', {
    organizationId,
    caseId,
    organizationType,
    vendorId: null,
    reason: 'CONTRACT_END',
    dayZero: now.toISOString().slice(0, 10),
    policy,
    startedAt: now.toISOString(),
    startedBy: 'admin-1',
    partnerOrganizationIds: [],
    vendorCaseId: null,
  });
  await cancelLast(h, organizationId);
  return caseId;
}

export async function cancelLast(h: Harness, organizationId: string): Promise<void> {
  const now = h.clock.now();
  await h.deliver('com.offboarding.entitlements.entitlement_cancelled.v1', {
    organizationId,
    entitlementId: randomUUID(),
    class: 'PLG',
    reason: 'CONTRACT_END',
    cancelledAt: now.toISOString(),
    cancelledBy: 'admin-1',
    policy,
    reactivatableUntil: null,
    portalVisibleUntil: now.toISOString(),
    remainingActiveEntitlements: 0,
  });
}
