import { IdempotencyKeys1734200000001, MessagingRetention1734400000002, MessagingTables1732000000000 } from '@offboarding/messaging';
import { JobRunCounts1734500000002, JobRuns1734400000001 } from '@offboarding/platform';
import { Licenses1732000000001 } from './1732000000001-licenses';
import { DownstreamResources1732000000002 } from './1732000000002-downstream-resources';
import { OnePurgeRequestShape1734500000001 } from './1734500000001-one-purge-request-shape';

/** Every migration of this service, oldest first. */
export const migrations = [MessagingTables1732000000000, Licenses1732000000001, DownstreamResources1732000000002, IdempotencyKeys1734200000001, JobRuns1734400000001, MessagingRetention1734400000002, OnePurgeRequestShape1734500000001, JobRunCounts1734500000002];
