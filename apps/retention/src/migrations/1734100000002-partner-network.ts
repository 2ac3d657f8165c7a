import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

/**
 * A vendor's offboarding is its partners' offboarding: partner cases follow the vendor's case,
 * a vendor's milestone remembers when its own part was done (it is DONE only with every
 * partner's), and milestone notices are sent once each.
 */
export class PartnerNetwork1734100000002 implements MigrationInterface {
  name = 'PartnerNetwork1734100000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.retention_cases ADD COLUMN vendor_organization_id uuid, ADD COLUMN vendor_source_case_id uuid,
      ADD COLUMN partner_organization_ids jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await queryRunner.query(`CREATE INDEX retention_cases_by_vendor_case ON ${s}.retention_cases (vendor_source_case_id) WHERE vendor_source_case_id IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE ${s}.timeline_milestones ADD COLUMN own_completed_at timestamptz`);
    await queryRunner.query(`UPDATE ${s}.timeline_milestones SET own_completed_at = completed_at WHERE status = 'DONE'`);
    // SSO shutdown "at archive" now happens with masking at the latest (access ends before masking).
    await queryRunner.query(`
      UPDATE ${s}.timeline_milestones AS sso SET due_at = masking.due_at, due_rule = 'at archive, with masking at the latest'
        FROM ${s}.timeline_milestones AS masking
       WHERE sso.case_id = masking.case_id AND sso.milestone = 'SSO_SHUTDOWN' AND masking.milestone = 'PII_MASKED'
         AND sso.due_at IS NULL AND sso.status IN ('PENDING', 'BLOCKED')`);
    await queryRunner.query(`
      CREATE TABLE ${s}.milestone_notices (
        case_id uuid NOT NULL,
        milestone varchar(32) NOT NULL,
        due_at timestamptz NOT NULL,
        notice_days integer NOT NULL CHECK (notice_days > 0),
        organization_id uuid NOT NULL,
        sent_at timestamptz,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (case_id, milestone, due_at, notice_days)
      )`);
    await queryRunner.query(`CREATE INDEX milestone_notices_by_organization ON ${s}.milestone_notices (organization_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE ${s}.milestone_notices`);
    await queryRunner.query(`ALTER TABLE ${s}.timeline_milestones DROP COLUMN own_completed_at`);
    await queryRunner.query(`DROP INDEX ${s}.retention_cases_by_vendor_case`);
    await queryRunner.query(`ALTER TABLE ${s}.retention_cases DROP COLUMN vendor_organization_id, DROP COLUMN vendor_source_case_id, DROP COLUMN partner_organization_ids`);
  }
}
