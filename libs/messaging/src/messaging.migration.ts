import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

/** The outbox and inbox tables; every service lists this among its migrations. */
export class MessagingTables1732000000000 implements MigrationInterface {
  name = 'MessagingTables1732000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${schema}.outbox (
        seq          bigserial   PRIMARY KEY,
        id           uuid        NOT NULL UNIQUE,
        topic        text        NOT NULL,
        message_key  text        NOT NULL,
        type         text        NOT NULL,
        headers      jsonb       NOT NULL,
        payload      jsonb       NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        sent_at      timestamptz,
        attempts     integer     NOT NULL DEFAULT 0,
        last_error   text
      )`);
    // Partial indexes stay as small as the backlog, however many sent rows accumulate: one for
    // the relay's oldest-first scan, one for its per-key "oldest unsent elsewhere" check.
    await queryRunner.query(`CREATE INDEX outbox_unsent_idx ON ${schema}.outbox (seq) WHERE sent_at IS NULL`);
    await queryRunner.query(
      `CREATE INDEX outbox_unsent_by_key_idx ON ${schema}.outbox (message_key, seq) WHERE sent_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE ${schema}.inbox (
        event_id     uuid        PRIMARY KEY,
        type         text        NOT NULL,
        source       text        NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE ${schema}.inbox`);
    await queryRunner.query(`DROP TABLE ${schema}.outbox`);
  }
}
