import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Metrics } from '@offboarding/platform';

/**
 * How many milestones of open cases stand in each status, read on each scrape: a BLOCKED one
 * (overdue and unconfirmed, or held) is what operators are alerted on
 * (OffboardingMilestoneBlocked in the PrometheusRule).
 */
@Injectable()
export class TimelineMetrics implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.metrics.labelledGauge(
      'offboarding_milestones',
      'Milestones of open retention cases, by milestone and status (PENDING, DONE, SKIPPED, BLOCKED).',
      ['milestone', 'status'],
      async () => {
        if (!this.dataSource.isInitialized) return null;
        const schema = (this.dataSource.options as { schema?: string }).schema ?? 'public';
        const rows = await this.dataSource.query<{ milestone: string; status: string; count: string }[]>(
          `SELECT m.milestone, m.status, count(*) AS count
             FROM "${schema}".timeline_milestones m JOIN "${schema}".retention_cases c ON c.id = m.case_id
            WHERE c.status IN ('OPEN', 'PURGE_QUEUED')
            GROUP BY m.milestone, m.status`,
        );
        return rows.map((row) => ({ labels: { milestone: row.milestone, status: row.status }, value: Number(row.count) }));
      },
    );
  }
}
