import pino from 'pino';
import { Outbox, UnitOfWork } from '@offboarding/messaging';
import { openServiceDatabase, type ServiceDatabase } from '@offboarding/persistence';
import { Clock, MaskingKeys } from '@offboarding/platform';
import { testDatabaseTarget, uniqueSchema } from '@offboarding/testing';
import { AuditLog } from '../audit/audit-log';
import { EntitlementsService } from '../entitlements/entitlements.service';
import { entities } from '../entities';
import { migrations } from '../migrations';
import { OffboardingService } from '../offboarding/offboarding.service';
import { DataLifecycleService } from '../organizations/data-lifecycle.service';
import { OrganizationsService } from '../organizations/organizations.service';
import { CancellationPoliciesService } from '../policies/cancellation-policies.service';
import { RecordsService } from '../records/records.service';

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
  advanceMs(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export class FixedMaskingKeys extends MaskingKeys {
  constructor(readonly key: Buffer) {
    super();
  }
  resolve(): Promise<Buffer> {
    return Promise.resolve(this.key);
  }
}

export interface Harness {
  db: ServiceDatabase;
  clock: TestClock;
  organizations: OrganizationsService;
  policies: CancellationPoliciesService;
  entitlements: EntitlementsService;
  offboarding: OffboardingService;
  records: RecordsService;
  dataLifecycle: DataLifecycleService;
  /** Outbox rows of one organization, oldest first. */
  events(organizationId: string): Promise<{ type: string; payload: Record<string, unknown> }[]>;
  count(table: string, organizationId?: string): Promise<number>;
  close(): Promise<void>;
}

/** The entitlements service's domain wired by hand over its own test schema. */
export async function openHarness(options: { now: string; maskingKey?: Buffer; database?: ServiceDatabase }): Promise<Harness> {
  const db =
    options.database ??
    (await openServiceDatabase({ service: 'entitlements', schema: uniqueSchema('entitlements'), entities, migrations, migrate: true, target: testDatabaseTarget() }));
  const clock = new TestClock(new Date(options.now));
  const outbox = new Outbox('entitlements', () => clock.now());
  const unitOfWork = new UnitOfWork(db.dataSource, outbox);
  const auditLog = new AuditLog(clock);
  const logger = pino({ level: 'silent' });
  const organizations = new OrganizationsService(db.dataSource, unitOfWork, auditLog, outbox, clock, logger);
  const policies = new CancellationPoliciesService(db.dataSource, unitOfWork, organizations, auditLog, clock);
  const entitlements = new EntitlementsService(db.dataSource, unitOfWork, organizations, policies, auditLog, clock);
  const offboarding = new OffboardingService(db.dataSource, unitOfWork, organizations, entitlements, policies, auditLog, clock);
  const records = new RecordsService(db.dataSource, unitOfWork, organizations, auditLog, clock);
  const dataLifecycle = new DataLifecycleService(
    db.dataSource,
    unitOfWork,
    outbox,
    new FixedMaskingKeys(options.maskingKey ?? Buffer.alloc(32, 7)),
    auditLog,
    clock,
    logger,
  );
  return {
    db,
    clock,
    organizations,
    policies,
    entitlements,
    offboarding,
    records,
    dataLifecycle,
    events: (organizationId) =>
      db.dataSource.query(`SELECT type, payload FROM "${db.schema}".outbox WHERE message_key = $1 ORDER BY seq`, [organizationId]),
    count: async (table, organizationId) =>
      Number(
        (
          await db.dataSource.query<{ n: string }[]>(
            `SELECT count(*) AS n FROM "${db.schema}".${table}${organizationId ? ' WHERE organization_id = $1' : ''}`,
            organizationId ? [organizationId] : [],
          )
        )[0].n,
      ),
    async close() {
      await dataLifecycle.onApplicationShutdown();
      if (options.database) return;
      if (db.target.kind === 'postgres') await db.dataSource.query(`DROP SCHEMA "${db.schema}" CASCADE`);
      await db.close();
    },
  };
}
