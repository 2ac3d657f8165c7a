import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

/** A partner's offboarding case may follow its vendor's (vendor_case_id); its own one is then SUPERSEDED. */
export class PartnerNetwork1734100000001 implements MigrationInterface {
  name = 'PartnerNetwork1734100000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    // No foreign key: the vendor's case and its partners' are purged each with its own organization.
    await queryRunner.query(`ALTER TABLE ${s}.offboarding_cases ADD COLUMN vendor_case_id uuid`);
    await queryRunner.query(`CREATE INDEX offboarding_cases_by_vendor_case ON ${s}.offboarding_cases (vendor_case_id) WHERE vendor_case_id IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE ${s}.offboarding_cases DROP CONSTRAINT offboarding_cases_status_check`);
    await queryRunner.query(
      `ALTER TABLE ${s}.offboarding_cases ADD CONSTRAINT offboarding_cases_status_check CHECK (status IN ('SCHEDULED', 'ENTITLEMENTS_CANCELLED', 'CANCELLED', 'WITHDRAWN', 'SUPERSEDED'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`UPDATE ${s}.offboarding_cases SET status = 'CANCELLED' WHERE status = 'SUPERSEDED'`);
    await queryRunner.query(`ALTER TABLE ${s}.offboarding_cases DROP CONSTRAINT offboarding_cases_status_check`);
    await queryRunner.query(
      `ALTER TABLE ${s}.offboarding_cases ADD CONSTRAINT offboarding_cases_status_check CHECK (status IN ('SCHEDULED', 'ENTITLEMENTS_CANCELLED', 'CANCELLED', 'WITHDRAWN'))`,
    );
    await queryRunner.query(`DROP INDEX ${s}.offboarding_cases_by_vendor_case`);
    await queryRunner.query(`ALTER TABLE ${s}.offboarding_cases DROP COLUMN vendor_case_id`);
  }
}
