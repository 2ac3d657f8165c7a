import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

/**
 * Deleting or updating an order checks invoices.order_id; without an index that is a scan of
 * every invoice per order (the purge benchmark found it).
 */
export class InvoiceOrderIndex1732000000003 implements MigrationInterface {
  name = 'InvoiceOrderIndex1732000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX invoices_by_order ON ${schemaOf(queryRunner)}.invoices (order_id) WHERE order_id IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ${schemaOf(queryRunner)}.invoices_by_order`);
  }
}
