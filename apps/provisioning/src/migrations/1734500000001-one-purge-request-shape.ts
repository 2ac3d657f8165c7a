import type { MigrationInterface, QueryRunner } from 'typeorm';
import { unifyPurgeRequests } from '@offboarding/data-lifecycle';

/** purge_requests in the shape shared by every service (statuses PENDING and COMPLETED already). */
export class OnePurgeRequestShape1734500000001 implements MigrationInterface {
  name = 'OnePurgeRequestShape1734500000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await unifyPurgeRequests(queryRunner);
  }

  down(): Promise<void> {
    // Nothing to undo: the shape was this service's already; the constraint and index stay.
    return Promise.resolve();
  }
}
