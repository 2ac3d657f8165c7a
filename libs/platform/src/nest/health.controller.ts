import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
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

  @Get('ready')
  async ready(): Promise<{ status: 'ready' }> {
    if (!(await this.runtime.isReady())) throw new ServiceUnavailableException({ status: 'not ready' });
    return { status: 'ready' };
  }
}
