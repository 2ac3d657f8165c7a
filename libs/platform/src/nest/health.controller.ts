import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import type { RelayHealth } from '@offboarding/messaging';
import { ServiceRuntime } from './service-runtime';

/** Kubernetes probes: liveness says the process serves HTTP; readiness checks its dependencies. */
@Controller('health')
export class HealthController {
  constructor(private readonly runtime: ServiceRuntime) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** The outbox relay's state rides along: a failing relay is visible here but keeps the service ready. */
  @Get('ready')
  async ready(): Promise<{ status: 'ready'; outboxRelay: RelayHealth | null }> {
    if (!(await this.runtime.isReady())) throw new ServiceUnavailableException({ status: 'not ready', outboxRelay: this.runtime.relayHealth() });
    return { status: 'ready', outboxRelay: this.runtime.relayHealth() };
  }
}
