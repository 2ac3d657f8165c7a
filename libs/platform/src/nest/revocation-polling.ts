import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RevocationList } from '../auth/revocation-list';
import type { ServiceConfig } from '../config/service-config';
import { SERVICE_CONFIG } from './tokens';

/**
 * Keeps the service's list of revoked sessions current while it serves GraphQL: the first read
 * at bootstrap (after every module could set its feed), then every REVOCATION_POLL_INTERVAL_MS.
 * A one-shot job and schema printing serve no requests and never poll.
 */
@Injectable()
export class RevocationPolling implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly revocations: RevocationList,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.run.mode !== 'serve') return;
    await this.revocations.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.revocations.stop();
  }
}
