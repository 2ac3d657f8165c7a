import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

export class AuditTrail1732000000001 implements MigrationInterface {
  name = 'AuditTrail1732000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.audit_chains (
        organization_id uuid PRIMARY KEY,
        last_sequence integer NOT NULL,
        last_hash char(64) NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.audit_entries (
        organization_id uuid NOT NULL,
        sequence integer NOT NULL CHECK (sequence > 0),
        event_id uuid NOT NULL UNIQUE,
        event_type varchar(200) NOT NULL,
        source varchar(200) NOT NULL,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        details jsonb NOT NULL,
        previous_hash char(64) NOT NULL,
        hash char(64) NOT NULL,
        PRIMARY KEY (organization_id, sequence)
      )`);
    // Append-only: the trail survives purge and nobody rewrites history.
    await queryRunner.query(`
      CREATE FUNCTION ${s}.audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit entries are append-only'; END $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON ${s}.audit_entries
      FOR EACH ROW EXECUTE FUNCTION ${s}.audit_entries_append_only()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE ${s}.audit_entries`);
    await queryRunner.query(`DROP FUNCTION ${s}.audit_entries_append_only()`);
    await queryRunner.query(`DROP TABLE ${s}.audit_chains`);
  }
}
