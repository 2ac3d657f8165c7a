import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

/** A data export reports its progress while it runs: collections done of the total, rows written. */
export class ExportProgress1734500000001 implements MigrationInterface {
  name = 'ExportProgress1734500000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.data_exports ADD COLUMN collections_done integer NOT NULL DEFAULT 0,
      ADD COLUMN collections_total integer, ADD COLUMN rows_written bigint NOT NULL DEFAULT 0`);
    // Exports finished before: complete, by their manifest's counts.
    await queryRunner.query(`
      UPDATE ${s}.data_exports AS e
         SET collections_done = counts.collections, collections_total = counts.collections, rows_written = counts.rows
        FROM (SELECT d.id, count(*)::integer AS collections, coalesce(sum(value::bigint), 0) AS rows
                FROM ${s}.data_exports AS d, jsonb_each_text(d.collections)
               WHERE d.collections IS NOT NULL GROUP BY d.id) AS counts
       WHERE e.id = counts.id`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.data_exports DROP COLUMN collections_done, DROP COLUMN collections_total, DROP COLUMN rows_written`);
  }
}
