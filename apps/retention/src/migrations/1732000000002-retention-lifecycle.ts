import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

export class RetentionLifecycle1732000000002 implements MigrationInterface {
  name = 'RetentionLifecycle1732000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.known_organizations (
        organization_id uuid PRIMARY KEY,
        type varchar(16) NOT NULL,
        vendor_id uuid,
        created_at timestamptz NOT NULL,
        archived_at timestamptz,
        updated_at timestamptz NOT NULL
      )`);
    // Organizations created before this migration are known from the trail already.
    await queryRunner.query(`
      INSERT INTO ${s}.known_organizations (organization_id, type, vendor_id, created_at, updated_at)
      SELECT organization_id, details->>'type', NULLIF(details->>'vendorId', '')::uuid, (details->>'createdAt')::timestamptz, now()
      FROM ${s}.audit_entries WHERE event_type = 'com.offboarding.entitlements.organization_created.v1'
      ON CONFLICT DO NOTHING`);
    await queryRunner.query(`
      CREATE TABLE ${s}.offboarding_policies (
        organization_id uuid PRIMARY KEY,
        export_window_days integer CHECK (export_window_days >= 0),
        sso_shutdown_days integer CHECK (sso_shutdown_days >= 0),
        pii_masking_days integer CHECK (pii_masking_days >= 0),
        portal_hidden_days integer CHECK (portal_hidden_days >= 0),
        final_confirmation_days integer CHECK (final_confirmation_days >= 0),
        retention_days integer CHECK (retention_days >= 0),
        updated_by varchar(200) NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.retention_cases (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        origin varchar(16) NOT NULL,
        source_case_id uuid,
        organization_type varchar(16) NOT NULL,
        day_zero date NOT NULL,
        policy jsonb NOT NULL,
        status varchar(16) NOT NULL,
        opened_at timestamptz NOT NULL,
        archived_at timestamptz,
        export_window_closes_at timestamptz NOT NULL,
        export_window_extended_until timestamptz,
        purge_eligible_at timestamptz NOT NULL,
        retained_until timestamptz,
        last_decision_change varchar(32),
        last_decision_change_by varchar(200),
        last_decision_change_at timestamptz,
        masking_key_destroyed_at timestamptz,
        closed_at timestamptz,
        close_reason varchar(32),
        completed_at timestamptz,
        purged_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // At most one case governs an organization at a time.
    await queryRunner.query(`
      CREATE UNIQUE INDEX retention_cases_one_active ON ${s}.retention_cases (organization_id)
      WHERE status IN ('OPEN', 'PURGE_QUEUED', 'PURGING')`);
    await queryRunner.query(`CREATE INDEX retention_cases_by_status ON ${s}.retention_cases (status, purge_eligible_at)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.timeline_milestones (
        case_id uuid NOT NULL REFERENCES ${s}.retention_cases (id) ON DELETE CASCADE,
        milestone varchar(32) NOT NULL,
        organization_id uuid NOT NULL,
        due_at timestamptz,
        due_rule varchar(100) NOT NULL,
        status varchar(16) NOT NULL,
        request_id uuid UNIQUE,
        requested_at timestamptz,
        confirmations jsonb NOT NULL DEFAULT '{}',
        completed_at timestamptz,
        blocked_reason varchar(500),
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (case_id, milestone)
      )`);
    await queryRunner.query(`CREATE INDEX timeline_milestones_due ON ${s}.timeline_milestones (due_at) WHERE status IN ('PENDING', 'BLOCKED')`);
    await queryRunner.query(`
      CREATE TABLE ${s}.retention_extensions (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        case_id uuid NOT NULL,
        kind varchar(16) NOT NULL,
        previous_until timestamptz NOT NULL,
        until timestamptz NOT NULL,
        reason text NOT NULL,
        actor varchar(200) NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX retention_extensions_by_organization ON ${s}.retention_extensions (organization_id, created_at)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.legal_holds (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        case_id uuid NOT NULL,
        reason text NOT NULL,
        placed_by varchar(200) NOT NULL,
        placed_at timestamptz NOT NULL,
        released_by varchar(200),
        released_at timestamptz,
        release_reason text
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX legal_holds_one_active ON ${s}.legal_holds (organization_id) WHERE released_at IS NULL`);
    await queryRunner.query(`
      CREATE TABLE ${s}.purge_requests (
        request_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        case_id uuid NOT NULL,
        status varchar(16) NOT NULL,
        approved_by varchar(200) NOT NULL,
        approved_at timestamptz NOT NULL,
        counterpart_actor varchar(200),
        counterpart_change varchar(32),
        requested_at timestamptz,
        confirmations jsonb NOT NULL DEFAULT '{}',
        completed_at timestamptz,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX purge_requests_one_live ON ${s}.purge_requests (case_id) WHERE status IN ('APPROVED', 'REQUESTED')`);
    await queryRunner.query(`
      CREATE TABLE ${s}.deletion_certificates (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL UNIQUE,
        request_id uuid NOT NULL UNIQUE,
        content jsonb NOT NULL,
        sha256 char(64) NOT NULL,
        issued_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.masking_keys (
        ref varchar(64) PRIMARY KEY,
        organization_id uuid NOT NULL,
        request_id uuid NOT NULL UNIQUE,
        key bytea NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.data_exports (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        status varchar(16) NOT NULL,
        requested_by varchar(200) NOT NULL,
        storage_key varchar(1024),
        size_bytes bigint,
        sha256 char(64),
        collections jsonb,
        error varchar(1000),
        requested_at timestamptz NOT NULL,
        started_at timestamptz,
        ready_at timestamptz,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX data_exports_by_organization ON ${s}.data_exports (organization_id, requested_at)`);
    await queryRunner.query(`CREATE INDEX data_exports_pending ON ${s}.data_exports (requested_at) WHERE status IN ('PENDING', 'RUNNING')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    for (const table of [
      'data_exports',
      'masking_keys',
      'deletion_certificates',
      'purge_requests',
      'legal_holds',
      'retention_extensions',
      'timeline_milestones',
      'retention_cases',
      'offboarding_policies',
      'known_organizations',
    ]) {
      await queryRunner.query(`DROP TABLE ${s}.${table}`);
    }
  }
}
