import type { QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

/**
 * Brings a service's `purge_requests` table to the one shape of PurgeRequestEntity: statuses
 * PENDING and COMPLETED (a service that called the end DONE has its rows renamed), counts
 * defaulting to none, and the index that finds pending requests. Each service's migration calls it.
 */
export async function unifyPurgeRequests(queryRunner: QueryRunner): Promise<void> {
  const t = `${schemaOf(queryRunner)}.purge_requests`;
  await queryRunner.query(`ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS purge_requests_status_check`);
  await queryRunner.query(`UPDATE ${t} SET status = 'COMPLETED' WHERE status = 'DONE'`);
  await queryRunner.query(`ALTER TABLE ${t} ADD CONSTRAINT purge_requests_status_check CHECK (status IN ('PENDING', 'COMPLETED'))`);
  await queryRunner.query(`ALTER TABLE ${t} ALTER COLUMN deleted SET DEFAULT '{}'::jsonb`);
  await queryRunner.query(`CREATE INDEX IF NOT EXISTS purge_requests_pending ON ${t} (requested_at) WHERE status = 'PENDING'`);
}

/** Undoes unifyPurgeRequests for a service whose requests ended DONE. */
export async function restorePurgeRequestsEndingDone(queryRunner: QueryRunner): Promise<void> {
  const t = `${schemaOf(queryRunner)}.purge_requests`;
  await queryRunner.query(`ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS purge_requests_status_check`);
  await queryRunner.query(`UPDATE ${t} SET status = 'DONE' WHERE status = 'COMPLETED'`);
}
