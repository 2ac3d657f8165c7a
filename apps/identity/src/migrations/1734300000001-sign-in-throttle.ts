import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

export class SignInThrottle1734300000001 implements MigrationInterface {
  name = 'SignInThrottle1734300000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${schema}.sign_in_throttle (
        key varchar(200) PRIMARY KEY,
        failures integer NOT NULL,
        locked_until timestamptz,
        last_attempt_at timestamptz NOT NULL,
        refused integer NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX sign_in_throttle_last_attempt ON ${schema}.sign_in_throttle (last_attempt_at)`);
    await queryRunner.query(`
      CREATE TABLE ${schema}.sign_in_attempts (
        id uuid NOT NULL,
        key varchar(200) NOT NULL,
        started_at timestamptz NOT NULL,
        PRIMARY KEY (id, key)
      )`);
    await queryRunner.query(`CREATE INDEX sign_in_attempts_key ON ${schema}.sign_in_attempts (key, started_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${schemaOf(queryRunner)}.sign_in_attempts`);
    await queryRunner.query(`DROP TABLE ${schemaOf(queryRunner)}.sign_in_throttle`);
  }
}
