import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import type { RelayHealth } from '@offboarding/messaging';
import { type ConsumerState, ServiceRuntime } from './service-runtime';

interface Readiness {
  status: 'ready' | 'not ready';
  outboxRelay: RelayHealth | null;
  /** `joining` while the event consumer waits for its group (after a kill -9, up to the session timeout). */
  consumer: ConsumerState | null;
}

/** Kubernetes probes: liveness says the process serves HTTP; readiness checks its dependencies. */
@Controller('health')
export class HealthController {
  constructor(private readonly runtime: ServiceRuntime) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * The outbox relay's and the event consumer's states ride along: a failing relay or a consumer
   * still joining its group is visible here but keeps the service ready (requests need neither).
   */
  @Get('ready')
  async ready(): Promise<Readiness> {
    const detail = { outboxRelay: this.runtime.relayHealth(), consumer: this.runtime.consumerHealth() };
    if (!(await this.runtime.isReady())) throw new ServiceUnavailableException({ status: 'not ready', ...detail });
    return { status: 'ready', ...detail };
  }
}
