import type { MigrationInterface, QueryRunner } from 'typeorm';
import { restorePurgeRequestsEndingDone, unifyPurgeRequests } from '@offboarding/data-lifecycle';

/** purge_requests in the shape shared by every service: a completed request is COMPLETED (was DONE). */
export class OnePurgeRequestShape1734500000001 implements MigrationInterface {
  name = 'OnePurgeRequestShape1734500000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await unifyPurgeRequests(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await restorePurgeRequestsEndingDone(queryRunner);
  }
}
