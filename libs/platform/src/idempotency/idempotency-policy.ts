import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { IdempotencyKeys, type IdempotencyPolicy, type IdempotentRequest, type RecordedError } from '@offboarding/messaging';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { JobScheduler } from '../jobs/job-scheduler';
import { counted } from '../jobs/scheduled-job';
import { LOGGER } from '../nest/tokens';

/**
 * Which outcomes a key remembers: the domain's refusals (NOT_FOUND, INVALID_TRANSITION, …) are
 * answers and are recorded with the rolled-back change; anything else (a lost connection, a
 * deadlock) changed nothing and is not recorded, so the retry runs again.
 */
export function idempotencyPolicy(ttlHours: number, logger: Logger): IdempotencyPolicy {
  return {
    ttlMs: ttlHours * 3_600_000,
    recordable: (error: unknown): RecordedError | null =>
      error instanceof DomainError ? { code: error.code, message: error.message, details: { ...error.details } } : null,
    revive: (error: RecordedError) => new DomainError(error.code as ErrorCode, error.message, error.details),
    reused: (request: IdempotentRequest, earlierOperation: string) =>
      new DomainError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        earlierOperation === request.operation
          ? `this Idempotency-Key was used for ${earlierOperation} with other input: send a new key for a new request`
          : `this Idempotency-Key was used for ${earlierOperation}: send a new key for a new request`,
        { operation: request.operation, keyUsedFor: earlierOperation },
      ),
    replayed: (request: IdempotentRequest, step: number) =>
      logger.info({ operation: request.operation, step }, 'idempotent retry answered from the recorded outcome'),
  };
}

/** Forgets idempotency keys whose time is up (`run-job idempotency-key-prune`). */
@Injectable()
export class IdempotencyKeyPruning implements OnModuleInit {
  static readonly JOB = 'idempotency-key-prune';

  constructor(
    private readonly scheduler: JobScheduler,
    private readonly dataSource: DataSource,
    private readonly keys: IdempotencyKeys,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({
      name: IdempotencyKeyPruning.JOB,
      description: 'Deletes idempotency keys older than IDEMPOTENCY_KEY_TTL_HOURS.',
      schedule: '40 * * * *',
      run: async ({ now }) => {
        const processed = await this.keys.prune(this.dataSource, now);
        if (processed > 0) this.logger.debug({ processed }, 'expired idempotency keys pruned');
        return counted({ idempotencyKeysDeleted: processed });
      },
    });
  }
}
