import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

/** One row per run of a scheduled job; every service lists this among its migrations. */
export class JobRuns1734400000001 implements MigrationInterface {
  name = 'JobRuns1734400000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${schema}.job_runs (
        id           uuid        PRIMARY KEY,
        job          text        NOT NULL,
        trigger      text        NOT NULL CHECK (trigger IN ('INTERVAL', 'CRON', 'MANUAL')),
        status       text        NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED')),
        started_at   timestamptz NOT NULL DEFAULT now(),
        finished_at  timestamptz,
        duration_ms  integer,
        processed    integer     NOT NULL DEFAULT 0,
        error        text,
        host         text        NOT NULL
      )`);
    // Newest runs of a job first (the API's pages, the metrics' "last run"); also what pruning walks.
    await queryRunner.query(`CREATE INDEX job_runs_by_job ON ${schema}.job_runs (job, started_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX job_runs_by_start ON ${schema}.job_runs (started_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${schemaOf(queryRunner)}.job_runs`);
  }
}

/** A run records what it did, counted by kind (`JobResult.counts`); every service lists this after JobRuns. */
export class JobRunCounts1734500000002 implements MigrationInterface {
  name = 'JobRunCounts1734500000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${schemaOf(queryRunner)}.job_runs ADD COLUMN counts jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${schemaOf(queryRunner)}.job_runs DROP COLUMN counts`);
  }
}
