import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

export class OrganizationsAndEntitlements1732000000001 implements MigrationInterface {
  name = 'OrganizationsAndEntitlements1732000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.organizations (
        id uuid PRIMARY KEY,
        name varchar(200) NOT NULL,
        tax_id varchar(64),
        type varchar(16) NOT NULL CHECK (type IN ('CUSTOMER', 'VENDOR', 'PARTNER')),
        status varchar(16) NOT NULL CHECK (status IN ('ACTIVE', 'OFFBOARDING', 'ARCHIVED', 'PURGED')),
        vendor_id uuid REFERENCES ${s}.organizations (id),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK ((type = 'PARTNER') = (vendor_id IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX organizations_listing ON ${s}.organizations (created_at, id)`);
    await queryRunner.query(`CREATE INDEX organizations_vendor ON ${s}.organizations (vendor_id) WHERE vendor_id IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE ${s}.entitlements (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES ${s}.organizations (id),
        class varchar(8) NOT NULL CHECK (class IN ('PLG', 'ENV', 'SVC', 'ORD', 'AFL', 'EDU')),
        product varchar(200) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CANCELLED')),
        granted_at timestamptz NOT NULL,
        cancelled_at timestamptz,
        cancellation_reason varchar(32),
        cancellation_notes text,
        cancelled_by varchar(200),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK ((status = 'CANCELLED') = (cancellation_reason IS NOT NULL AND cancelled_at IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX entitlements_by_organization ON ${s}.entitlements (organization_id, created_at, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE ${s}.entitlements`);
    await queryRunner.query(`DROP TABLE ${s}.organizations`);
  }
}
