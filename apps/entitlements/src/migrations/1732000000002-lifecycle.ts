import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

/**
 * The full lifecycle: organization dates and contacts (PII in a table of its own so it can be
 * masked), commercial records, cancellation policies, the entitlement's suspension, policy
 * snapshot, prepaid term, refund quote and reactivation, offboarding cases and the local audit log.
 */
export class Lifecycle1732000000002 implements MigrationInterface {
  name = 'Lifecycle1732000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.organizations
        ADD COLUMN cancelled_at timestamptz,
        ADD COLUMN archived_at timestamptz,
        ADD COLUMN purged_at timestamptz,
        ADD COLUMN pii_masked_at timestamptz`);

    await queryRunner.query(`
      CREATE TABLE ${s}.organization_contacts (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES ${s}.organizations (id),
        name varchar(200) NOT NULL,
        email varchar(320) NOT NULL,
        phone varchar(100),
        address text,
        role varchar(100),
        masked_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX organization_contacts_by_organization ON ${s}.organization_contacts (organization_id, created_at, id)`);

    for (const table of ['orders', 'quotes']) {
      await queryRunner.query(`
        CREATE TABLE ${s}.${table} (
          id uuid PRIMARY KEY,
          organization_id uuid NOT NULL REFERENCES ${s}.organizations (id),
          reference varchar(100) NOT NULL,
          description varchar(500) NOT NULL,
          amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
          currency char(3) NOT NULL,
          status varchar(16) NOT NULL,
          ${table === 'quotes' ? 'valid_until timestamptz NOT NULL,' : ''}
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL,
          UNIQUE (organization_id, reference)
        )`);
      await queryRunner.query(`CREATE INDEX ${table}_by_organization ON ${s}.${table} (organization_id, created_at, id)`);
    }
    await queryRunner.query(`
      CREATE TABLE ${s}.invoices (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES ${s}.organizations (id),
        number varchar(100) NOT NULL,
        order_id uuid REFERENCES ${s}.orders (id),
        amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
        currency char(3) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('OPEN', 'PAID', 'VOID')),
        issued_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        UNIQUE (organization_id, number)
      )`);
    await queryRunner.query(`CREATE INDEX invoices_by_organization ON ${s}.invoices (organization_id, created_at, id)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.documents (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES ${s}.organizations (id),
        title varchar(200) NOT NULL,
        kind varchar(32) NOT NULL,
        content_type varchar(100) NOT NULL,
        content text NOT NULL,
        size_bytes integer NOT NULL,
        sha256 char(64) NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX documents_by_organization ON ${s}.documents (organization_id, created_at, id)`);

    await queryRunner.query(`
      CREATE TABLE ${s}.cancellation_policies (
        id uuid PRIMARY KEY,
        organization_id uuid REFERENCES ${s}.organizations (id),
        portal_visibility_days integer NOT NULL CHECK (portal_visibility_days BETWEEN 0 AND 3650),
        data_retention_days integer NOT NULL CHECK (data_retention_days BETWEEN 0 AND 3650),
        allow_reactivation boolean NOT NULL,
        reactivation_window_days integer NOT NULL CHECK (reactivation_window_days BETWEEN 0 AND 3650),
        refund_eligible boolean NOT NULL,
        grace_period_days integer NOT NULL CHECK (grace_period_days BETWEEN 0 AND 365),
        updated_by varchar(200) NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // One global policy (organization_id NULL) and at most one override per organization.
    await queryRunner.query(`CREATE UNIQUE INDEX cancellation_policies_global ON ${s}.cancellation_policies ((true)) WHERE organization_id IS NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX cancellation_policies_per_organization ON ${s}.cancellation_policies (organization_id) WHERE organization_id IS NOT NULL`);

    await queryRunner.query(`
      ALTER TABLE ${s}.entitlements
        ADD COLUMN order_reference varchar(100),
        ADD COLUMN prepaid_amount_minor bigint CHECK (prepaid_amount_minor >= 0),
        ADD COLUMN currency char(3),
        ADD COLUMN prepaid_from timestamptz,
        ADD COLUMN prepaid_until timestamptz,
        ADD COLUMN suspended_at timestamptz,
        ADD COLUMN suspension_reason varchar(16) CHECK (suspension_reason IN ('NON_PAYMENT', 'ADMIN')),
        ADD COLUMN grace_ends_at timestamptz,
        ADD COLUMN policy_snapshot jsonb,
        ADD COLUMN reactivatable_until timestamptz,
        ADD COLUMN portal_visible_until timestamptz,
        ADD COLUMN refund_quote jsonb,
        ADD COLUMN reactivated_at timestamptz,
        ADD COLUMN reactivation_reference varchar(100),
        ADD CONSTRAINT entitlements_suspension CHECK ((status = 'SUSPENDED') = (suspension_reason IS NOT NULL)),
        ADD CONSTRAINT entitlements_prepaid CHECK (
          (prepaid_amount_minor IS NULL) = (currency IS NULL)
          AND (prepaid_amount_minor IS NULL) = (prepaid_from IS NULL)
          AND (prepaid_amount_minor IS NULL) = (prepaid_until IS NULL))`);
    // The grace-period sweep reads exactly these rows.
    await queryRunner.query(`CREATE INDEX entitlements_grace_due ON ${s}.entitlements (grace_ends_at) WHERE status = 'SUSPENDED' AND suspension_reason = 'NON_PAYMENT'`);

    await queryRunner.query(`
      CREATE TABLE ${s}.offboarding_cases (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES ${s}.organizations (id),
        status varchar(24) NOT NULL CHECK (status IN ('SCHEDULED', 'ENTITLEMENTS_CANCELLED', 'CANCELLED', 'WITHDRAWN')),
        reason varchar(32) NOT NULL,
        day_zero date NOT NULL,
        point_of_contact varchar(200) NOT NULL,
        notes text,
        policy_snapshot jsonb NOT NULL,
        started_at timestamptz NOT NULL,
        started_by varchar(200) NOT NULL,
        entitlements_cancelled_at timestamptz,
        closed_at timestamptz,
        closed_by varchar(200),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // A second open case for the same organization is impossible, not merely checked.
    await queryRunner.query(`CREATE UNIQUE INDEX offboarding_cases_one_open ON ${s}.offboarding_cases (organization_id) WHERE status IN ('SCHEDULED', 'ENTITLEMENTS_CANCELLED')`);
    await queryRunner.query(`CREATE INDEX offboarding_cases_due ON ${s}.offboarding_cases (day_zero) WHERE status = 'SCHEDULED'`);

    await queryRunner.query(`
      CREATE TABLE ${s}.audit_log (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        actor varchar(200) NOT NULL,
        action varchar(100) NOT NULL,
        reason varchar(100),
        subject_type varchar(50) NOT NULL,
        subject_id varchar(100) NOT NULL,
        before_status varchar(50),
        after_status varchar(50),
        occurred_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.purge_requests (
        request_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES ${s}.organizations (id),
        status varchar(16) NOT NULL CHECK (status IN ('PENDING', 'DONE')),
        deleted jsonb NOT NULL DEFAULT '{}',
        requested_at timestamptz NOT NULL,
        completed_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX purge_requests_pending ON ${s}.purge_requests (requested_at) WHERE status = 'PENDING'`);
    await queryRunner.query(`CREATE INDEX audit_log_by_organization ON ${s}.audit_log (organization_id, occurred_at, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    for (const table of ['purge_requests', 'audit_log', 'offboarding_cases', 'cancellation_policies', 'documents', 'invoices', 'quotes', 'orders', 'organization_contacts']) {
      await queryRunner.query(`DROP TABLE ${s}.${table}`);
    }
    await queryRunner.query(`
      ALTER TABLE ${s}.entitlements
        DROP CONSTRAINT entitlements_suspension,
        DROP CONSTRAINT entitlements_prepaid,
        DROP COLUMN order_reference, DROP COLUMN prepaid_amount_minor, DROP COLUMN currency,
        DROP COLUMN prepaid_from, DROP COLUMN prepaid_until, DROP COLUMN suspended_at,
        DROP COLUMN suspension_reason, DROP COLUMN grace_ends_at, DROP COLUMN policy_snapshot,
        DROP COLUMN reactivatable_until, DROP COLUMN portal_visible_until, DROP COLUMN refund_quote,
        DROP COLUMN reactivated_at, DROP COLUMN reactivation_reference`);
    await queryRunner.query(`
      ALTER TABLE ${s}.organizations
        DROP COLUMN cancelled_at, DROP COLUMN archived_at, DROP COLUMN purged_at, DROP COLUMN pii_masked_at`);
  }
}
