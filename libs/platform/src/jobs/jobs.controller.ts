import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { InternalTokenGuard } from '../auth/internal-token';
import type { ServiceConfig } from '../config/service-config';
import { SERVICE_CONFIG } from '../nest/tokens';
import type { JobRunPage, JobRunRecord } from './job-run-store';
import { JobScheduler, type ScheduledJobInfo } from './job-scheduler';

export interface ScheduledJobStatus extends ScheduledJobInfo {
  lastRun: JobRunRecord | null;
  lastSuccessAt: string | null;
}

/**
 * The service's scheduled jobs and their recorded runs, for the gateway's admin API (fields
 * `scheduledJobs`, `scheduledJobRuns`). Other services and the gateway only: internal token.
 */
@Controller('internal/jobs')
@UseGuards(InternalTokenGuard)
export class JobsController {
  constructor(
    private readonly scheduler: JobScheduler,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Get()
  async list(): Promise<{ service: string; mode: string; jobs: ScheduledJobStatus[] }> {
    const jobs = this.scheduler.describe();
    const summaries = new Map((await this.scheduler.runs.summaries(jobs.map((job) => job.name))).map((summary) => [summary.job, summary]));
    return {
      service: this.config.service,
      mode: this.scheduler.mode,
      jobs: jobs.map((job) => ({ ...job, lastRun: summaries.get(job.name)?.lastRun ?? null, lastSuccessAt: summaries.get(job.name)?.lastSuccessAt ?? null })),
    };
  }

  @Get(':job/runs')
  async runs(@Param('job') job: string, @Query('first') firstParam: string | undefined, @Query('after') after: string | undefined): Promise<JobRunPage> {
    if (!this.scheduler.names().includes(job)) throw new NotFoundException(`${this.config.service} has no job "${job}"`);
    const first = firstParam === undefined ? 20 : Number(firstParam);
    if (!Number.isInteger(first) || first < 1 || first > 100) throw new BadRequestException('first: a whole number from 1 to 100');
    try {
      return await this.scheduler.runs.page(job, first, after ?? null);
    } catch (error) {
      if (error instanceof RangeError) throw new BadRequestException(error.message);
      throw error;
    }
  }
}
