import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

const CLASSES = `('PLG', 'ENV', 'SVC', 'ORD', 'AFL', 'EDU')`;

/**
 * Every downstream resource besides licences, the entitlements this service has seen, the
 * ProvisioningPolicy and the purge requests it works through.
 */
export class DownstreamResources1732000000002 implements MigrationInterface {
  name = 'DownstreamResources1732000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    const statements = [
      `CREATE TABLE ${s}.known_entitlements (
        entitlement_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        class varchar(3) NOT NULL CHECK (class IN ${CLASSES}),
        product varchar(200) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CANCELLED')),
        granted_at timestamptz NOT NULL,
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX known_entitlements_by_organization ON ${s}.known_entitlements (organization_id)`,
      // Licences issued before this registry existed belong to entitlements this service has seen.
      `INSERT INTO ${s}.known_entitlements (entitlement_id, organization_id, class, product, status, granted_at, cancelled_at, created_at, updated_at)
        SELECT entitlement_id, organization_id, 'PLG', product, status, issued_at, cancelled_at, created_at, created_at FROM ${s}.licenses`,

      `CREATE TABLE ${s}.provisioning_policies (
        id uuid PRIMARY KEY,
        organization_id uuid,
        class varchar(3) NOT NULL CHECK (class IN ${CLASSES}),
        deprovision_on_cancel boolean NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE UNIQUE INDEX provisioning_policies_global ON ${s}.provisioning_policies (class) WHERE organization_id IS NULL`,
      `CREATE UNIQUE INDEX provisioning_policies_per_organization ON ${s}.provisioning_policies (organization_id, class) WHERE organization_id IS NOT NULL`,

      `CREATE TABLE ${s}.plugin_releases (
        id uuid PRIMARY KEY,
        product varchar(200) NOT NULL,
        version varchar(50) NOT NULL,
        released_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        UNIQUE (product, version)
      )`,
      `CREATE TABLE ${s}.site_activations (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        license_id uuid NOT NULL REFERENCES ${s}.licenses (id),
        site_url varchar(2048) NOT NULL,
        installed_version varchar(50) NOT NULL,
        last_check_in_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        UNIQUE (license_id, site_url)
      )`,
      `CREATE INDEX site_activations_by_organization ON ${s}.site_activations (organization_id)`,

      `CREATE TABLE ${s}.environments (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        entitlement_id uuid NOT NULL,
        name varchar(100) NOT NULL,
        url varchar(2048) NOT NULL,
        region varchar(50) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('PROVISIONING', 'ACTIVE', 'SUSPENDED', 'DEPROVISIONED', 'TORN_DOWN')),
        contact_name varchar(200),
        contact_email varchar(320),
        export_required_since timestamptz NOT NULL,
        deprovisioned_at timestamptz,
        teardown_due_at timestamptz,
        teardown_blocked_at timestamptz,
        export_waived_at timestamptz,
        export_waived_by varchar(200),
        export_waiver_reason varchar(2000),
        torn_down_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX environments_by_organization ON ${s}.environments (organization_id, created_at, id)`,
      `CREATE INDEX environments_by_entitlement ON ${s}.environments (entitlement_id)`,
      `CREATE INDEX environments_due_for_teardown ON ${s}.environments (teardown_due_at) WHERE status = 'DEPROVISIONED'`,
      `CREATE TABLE ${s}.environment_exports (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        environment_id uuid NOT NULL REFERENCES ${s}.environments (id),
        storage_key varchar(1024) NOT NULL,
        size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
        sha256 char(64) NOT NULL,
        created_by varchar(200) NOT NULL,
        created_at timestamptz NOT NULL
      )`,
      `CREATE INDEX environment_exports_by_environment ON ${s}.environment_exports (environment_id, created_at)`,
      `CREATE INDEX environment_exports_by_organization ON ${s}.environment_exports (organization_id)`,

      `CREATE TABLE ${s}.customer_services (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        entitlement_id uuid NOT NULL,
        name varchar(200) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CANCELLED')),
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX customer_services_by_organization ON ${s}.customer_services (organization_id, created_at, id)`,
      `CREATE INDEX customer_services_by_entitlement ON ${s}.customer_services (entitlement_id)`,
      `CREATE TABLE ${s}.contracts (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        entitlement_id uuid NOT NULL,
        service_id uuid NOT NULL REFERENCES ${s}.customer_services (id),
        reference varchar(50) NOT NULL UNIQUE,
        status varchar(16) NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CANCELLED')),
        starts_at timestamptz NOT NULL,
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX contracts_by_organization ON ${s}.contracts (organization_id, created_at, id)`,
      `CREATE INDEX contracts_by_entitlement ON ${s}.contracts (entitlement_id)`,
      `CREATE TABLE ${s}.service_requests (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        service_id uuid NOT NULL REFERENCES ${s}.customer_services (id),
        subject varchar(500) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('OPEN', 'IN_REVIEW', 'COMPLETED', 'CANCELLED')),
        review_since timestamptz,
        resolved_at timestamptz,
        resolved_by varchar(200),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX service_requests_by_service ON ${s}.service_requests (service_id, status)`,
      `CREATE INDEX service_requests_by_organization ON ${s}.service_requests (organization_id)`,
      `CREATE INDEX service_requests_review_queue ON ${s}.service_requests (created_at, id) WHERE status = 'IN_REVIEW'`,
      `CREATE TABLE ${s}.credit_balances (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        entitlement_id uuid NOT NULL,
        credits bigint NOT NULL CHECK (credits >= 0),
        status varchar(16) NOT NULL CHECK (status IN ('ACTIVE', 'FROZEN')),
        frozen_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX credit_balances_by_organization ON ${s}.credit_balances (organization_id, created_at, id)`,
      `CREATE INDEX credit_balances_by_entitlement ON ${s}.credit_balances (entitlement_id)`,

      `CREATE TABLE ${s}.campaigns (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        entitlement_id uuid NOT NULL,
        name varchar(200) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('IN_PROGRESS', 'SUSPENDED', 'COMPLETED', 'INVALIDATED')),
        contact_name varchar(200),
        contact_email varchar(320),
        invalidated_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX campaigns_by_organization ON ${s}.campaigns (organization_id, created_at, id)`,
      `CREATE INDEX campaigns_by_entitlement ON ${s}.campaigns (entitlement_id)`,
      `CREATE TABLE ${s}.tracking_links (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        entitlement_id uuid NOT NULL,
        campaign_id uuid NOT NULL REFERENCES ${s}.campaigns (id),
        code varchar(32) NOT NULL UNIQUE,
        target_url varchar(2048) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('ACTIVE', 'DISABLED')),
        disabled_reason varchar(16) CHECK (disabled_reason IN ('SUSPENDED', 'CANCELLED')),
        disabled_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX tracking_links_by_campaign ON ${s}.tracking_links (campaign_id, created_at, id)`,
      `CREATE INDEX tracking_links_by_entitlement ON ${s}.tracking_links (entitlement_id)`,
      `CREATE INDEX tracking_links_by_organization ON ${s}.tracking_links (organization_id)`,
      `CREATE TABLE ${s}.partner_relationships (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        entitlement_id uuid NOT NULL,
        programme varchar(200) NOT NULL,
        contact_name varchar(200),
        contact_email varchar(320),
        status varchar(16) NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'ENDED')),
        ended_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX partner_relationships_by_organization ON ${s}.partner_relationships (organization_id, created_at, id)`,
      `CREATE INDEX partner_relationships_by_entitlement ON ${s}.partner_relationships (entitlement_id)`,

      `CREATE TABLE ${s}.course_seats (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        entitlement_id uuid NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('AVAILABLE', 'ASSIGNED', 'RELEASED')),
        released_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX course_seats_by_organization ON ${s}.course_seats (organization_id, created_at, id)`,
      `CREATE INDEX course_seats_by_entitlement ON ${s}.course_seats (entitlement_id, status)`,
      `CREATE TABLE ${s}.enrollments (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        entitlement_id uuid NOT NULL,
        seat_id uuid NOT NULL REFERENCES ${s}.course_seats (id),
        learner_ref varchar(200) NOT NULL,
        course varchar(200) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
        enrolled_at timestamptz NOT NULL,
        closed_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX enrollments_by_organization ON ${s}.enrollments (organization_id, created_at, id)`,
      `CREATE INDEX enrollments_by_entitlement ON ${s}.enrollments (entitlement_id)`,
      `CREATE INDEX enrollments_by_seat ON ${s}.enrollments (seat_id)`,

      `CREATE TABLE ${s}.fulfilments (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        entitlement_id uuid NOT NULL,
        product varchar(200) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('OPEN', 'ON_HOLD', 'CLOSED', 'FULFILLED')),
        closed_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX fulfilments_by_organization ON ${s}.fulfilments (organization_id, created_at, id)`,
      `CREATE INDEX fulfilments_by_entitlement ON ${s}.fulfilments (entitlement_id)`,

      `CREATE TABLE ${s}.purge_requests (
        request_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('PENDING', 'COMPLETED')),
        deleted jsonb NOT NULL DEFAULT '{}'::jsonb,
        requested_at timestamptz NOT NULL,
        completed_at timestamptz
      )`,
      `CREATE INDEX purge_requests_pending ON ${s}.purge_requests (requested_at) WHERE status = 'PENDING'`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    for (const table of [
      'purge_requests',
      'fulfilments',
      'enrollments',
      'course_seats',
      'partner_relationships',
      'tracking_links',
      'campaigns',
      'credit_balances',
      'service_requests',
      'contracts',
      'customer_services',
      'environment_exports',
      'environments',
      'site_activations',
      'plugin_releases',
      'provisioning_policies',
      'known_entitlements',
    ]) {
      await queryRunner.query(`DROP TABLE ${s}.${table}`);
    }
  }
}
