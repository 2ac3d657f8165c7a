import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

/**
 * Indexes that let the pruning job find sent outbox rows and old inbox ids in time order
 * without scanning the tables; every service lists this among its migrations.
 */
export class MessagingRetention1734400000002 implements MigrationInterface {
  name = 'MessagingRetention1734400000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    // Ordered like the pruner walks (time, then the key), so each batch starts where the last one
    // ended instead of stepping over the dead entries of the rows already deleted. Partial:
    // unsent rows (the relay's concern, and never pruned) stay out of it.
    await queryRunner.query(`CREATE INDEX outbox_sent_at_idx ON ${schema}.outbox (sent_at, seq) WHERE sent_at IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX inbox_received_at_idx ON ${schema}.inbox (received_at, event_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP INDEX ${schema}.inbox_received_at_idx`);
    await queryRunner.query(`DROP INDEX ${schema}.outbox_sent_at_idx`);
  }
}
