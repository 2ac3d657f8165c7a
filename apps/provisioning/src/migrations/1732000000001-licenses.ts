import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

export class Licenses1732000000001 implements MigrationInterface {
  name = 'Licenses1732000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.licenses (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        entitlement_id uuid NOT NULL UNIQUE,
        license_key varchar(64) NOT NULL UNIQUE,
        product varchar(200) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CANCELLED')),
        issued_at timestamptz NOT NULL,
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX licenses_by_organization ON ${s}.licenses (organization_id, created_at, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${schemaOf(queryRunner)}.licenses`);
  }
}
