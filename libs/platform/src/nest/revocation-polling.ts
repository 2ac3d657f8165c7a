import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RevocationList } from '../auth/revocation-list';

/**
 * Keeps the service's list of revoked sessions current while it serves GraphQL: the first read
 * at bootstrap (after every module could set its feed), then every REVOCATION_POLL_INTERVAL_MS.
 * A one-shot job and schema printing serve no requests and never poll.
 */
@Injectable()
export class RevocationPolling implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly revocations: RevocationList) {}

  async onApplicationBootstrap(): Promise<void> {
    if (process.env.SCHEMA_ONLY === 'true' || process.env.SERVICE_MODE === 'job') return;
    await this.revocations.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.revocations.stop();
  }
}
