import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Column, Entity, type MigrationInterface, PrimaryColumn, type QueryRunner } from 'typeorm';
import { MessagingTables1732000000000, Outbox, UnitOfWork } from '@offboarding/messaging';
import { type DatabaseTarget, openServiceDatabase, schemaOf, type ServiceDatabase } from '@offboarding/persistence';
import { SystemClock } from '@offboarding/platform';
import { LocalDirectoryStorage } from '@offboarding/storage';
import { testDatabaseTarget, uniqueSchema } from '@offboarding/testing';
import { Pii } from '../pii';
import type { PurgePlan } from '../purge-plan';
import { PurgeRequestEntity } from '../purge-request';
import { unifyPurgeRequests } from '../purge-requests.migration';
import { PurgeRunner } from '../purge-runner';

// A small service of its own: accounts of an organization, their keys (reached through the
// account), and documents with a file each.

@Entity({ name: 'accounts' })
export class AccountEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId!: string;
  @Pii() @Column({ type: 'text' }) email!: string;
  @Pii() @Column({ type: 'text', nullable: true }) phone!: string | null;
  @Column({ name: 'masked_at', type: 'timestamptz', nullable: true }) maskedAt!: Date | null;
}

@Entity({ name: 'account_keys' })
export class AccountKeyEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId!: string;
}

@Entity({ name: 'documents' })
export class DocumentEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId!: string;
  @Column({ name: 'storage_key', type: 'text' }) storageKey!: string;
}

class TestTables1732000000001 implements MigrationInterface {
  name = 'TestTables1732000000001';
  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.accounts (id uuid PRIMARY KEY, organization_id uuid NOT NULL, email text NOT NULL, phone text, masked_at timestamptz)`);
    await queryRunner.query(`CREATE TABLE ${s}.account_keys (id uuid PRIMARY KEY, account_id uuid NOT NULL REFERENCES ${s}.accounts (id))`);
    await queryRunner.query(`CREATE TABLE ${s}.documents (id uuid PRIMARY KEY, organization_id uuid NOT NULL, storage_key text NOT NULL)`);
    // The older shape of one service, brought to the shared one by the migration helper.
    await queryRunner.query(`CREATE TABLE ${s}.purge_requests (
      request_id uuid PRIMARY KEY, organization_id uuid NOT NULL, status varchar(16) NOT NULL CHECK (status IN ('PENDING', 'DONE')),
      deleted jsonb NOT NULL, requested_at timestamptz NOT NULL, completed_at timestamptz)`);
    await unifyPurgeRequests(queryRunner);
  }
  async down(): Promise<void> {}
}

export const TEST_PLAN: PurgePlan = {
  confirmation: 'com.offboarding.identity.organization_purged.v1',
  steps: [
    { entity: AccountKeyEntity, scope: { through: AccountEntity, foreignKey: 'account_id' } },
    { entity: AccountEntity },
    { entity: DocumentEntity, files: { column: 'storage_key', counted: 'document_files' } },
  ],
};

export interface LifecycleKit {
  db: ServiceDatabase;
  storage: LocalDirectoryStorage;
  runner(db?: ServiceDatabase, plan?: PurgePlan): PurgeRunner;
  open(target?: DatabaseTarget): Promise<ServiceDatabase>;
  table(name: string): string;
  close(): Promise<void>;
}

export async function lifecycleKit(): Promise<LifecycleKit> {
  const schema = uniqueSchema('lifecycle');
  const open = (target: DatabaseTarget = testDatabaseTarget(), migrate = true) =>
    openServiceDatabase({
      service: 'identity',
      schema,
      entities: [AccountEntity, AccountKeyEntity, DocumentEntity, PurgeRequestEntity],
      migrations: [MessagingTables1732000000000, TestTables1732000000001],
      migrate,
      target,
    });
  const db = await open();
  const storage = new LocalDirectoryStorage(mkdtempSync(path.join(tmpdir(), 'lifecycle-')));
  const clock = new SystemClock();
  const runners: PurgeRunner[] = [];
  const others: ServiceDatabase[] = [];
  return {
    db,
    storage,
    runner(on = db, plan = TEST_PLAN) {
      const outbox = new Outbox('identity', () => clock.now());
      const runner = new PurgeRunner(plan, { dataSource: on.dataSource, unitOfWork: new UnitOfWork(on.dataSource, outbox), clock, logger: pino({ level: 'silent' }), storage });
      runners.push(runner);
      return runner;
    },
    async open(target) {
      const other = await open(target, false);
      others.push(other);
      return other;
    },
    table: (name) => `"${schema}".${name}`,
    async close() {
      for (const runner of runners) await runner.stop();
      for (const other of others) await other.close();
      if (db.target.kind === 'postgres') await db.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
      await db.close();
    },
  };
}
