import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

/** The idempotency_keys table; every service lists this among its migrations. */
export class IdempotencyKeys1734200000001 implements MigrationInterface {
  name = 'IdempotencyKeys1734200000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    // outcomes: a JSON array, one entry per unit of work the mutation committed (text, not jsonb,
    // so a result is kept exactly as the service answered it).
    await queryRunner.query(`
      CREATE TABLE ${schema}.idempotency_keys (
        caller       text        NOT NULL,
        key          text        NOT NULL,
        operation    text        NOT NULL,
        fingerprint  text        NOT NULL,
        outcomes     text        NOT NULL,
        created_at   timestamptz NOT NULL,
        expires_at   timestamptz NOT NULL,
        PRIMARY KEY (caller, key)
      )`);
    await queryRunner.query(`CREATE INDEX idempotency_keys_expires_at_idx ON ${schema}.idempotency_keys (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${schemaOf(queryRunner)}.idempotency_keys`);
  }
}
