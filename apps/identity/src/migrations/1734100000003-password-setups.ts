import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

/** Single-use password-setup links (invitation, reset, win-back): only the hash of each token is kept. */
export class PasswordSetups1734100000003 implements MigrationInterface {
  name = 'PasswordSetups1734100000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.password_setups (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES ${s}.users (id) ON DELETE CASCADE,
        organization_id uuid NOT NULL,
        token_hash char(64) NOT NULL,
        purpose varchar(16) NOT NULL CHECK (purpose IN ('INVITATION', 'RESET', 'WIN_BACK')),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        replaced_at timestamptz,
        issued_by varchar(200) NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX password_setups_token ON ${s}.password_setups (token_hash)`);
    await queryRunner.query(`CREATE INDEX password_setups_open_by_user ON ${s}.password_setups (user_id) WHERE used_at IS NULL AND replaced_at IS NULL`);
    await queryRunner.query(`CREATE INDEX password_setups_by_organization ON ${s}.password_setups (organization_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${schemaOf(queryRunner)}.password_setups`);
  }
}
