import { BadRequestException, Body, Controller, Get, HttpCode, Put, Post } from '@nestjs/common';
import { z } from 'zod';
import { JobScheduler, type JobRunReport } from '../jobs/job-scheduler';
import { Clock, OffsetClock } from '../time/clock';
import { ServiceRuntime } from './service-runtime';

const setClockBody = z.strictObject({ offsetMs: z.int().min(0) });

export interface DevClockState {
  now: string;
  offsetMs: number;
}

/**
 * Development and test controls behind the gateway's `_devAdvanceClock`, `_devNow` and
 * `_devRunScheduledJobs`. PlatformModule mounts this controller only outside production.
 */
@Controller('internal/dev')
export class DevToolsController {
  constructor(
    private readonly clock: Clock,
    private readonly scheduler: JobScheduler,
    private readonly runtime: ServiceRuntime,
  ) {}

  @Get('clock')
  state(): DevClockState {
    return { now: this.clock.now().toISOString(), offsetMs: this.offsetClock().offsetMs };
  }

  @Put('clock')
  setClock(@Body() body: unknown): DevClockState {
    const parsed = setClockBody.safeParse(body);
    if (!parsed.success) throw new BadRequestException('body must be {"offsetMs": <non-negative integer>}');
    try {
      this.offsetClock().setOffset(parsed.data.offsetMs);
    } catch (error) {
      throw new BadRequestException((error as Error).message);
    }
    return this.state();
  }

  /** Runs every job once, then publishes what they wrote to the outbox before answering. */
  @Post('jobs/run')
  @HttpCode(200)
  async runJobs(): Promise<{ runs: JobRunReport[]; published: number }> {
    const runs = await this.scheduler.runAll();
    const published = await this.runtime.flushOutbox();
    return { runs, published };
  }

  private offsetClock(): OffsetClock {
    if (!(this.clock instanceof OffsetClock)) throw new BadRequestException('this service runs on the system clock');
    return this.clock;
  }
}
