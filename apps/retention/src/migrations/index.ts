import { IdempotencyKeys1734200000001, MessagingRetention1734400000002, MessagingTables1732000000000 } from '@offboarding/messaging';
import { JobRunCounts1734500000002, JobRuns1734400000001 } from '@offboarding/platform';
import { AuditTrail1732000000001 } from './1732000000001-audit-trail';
import { RetentionLifecycle1732000000002 } from './1732000000002-retention-lifecycle';
import { PartnerNetwork1734100000002 } from './1734100000002-partner-network';
import { ExportProgress1734500000001 } from './1734500000001-export-progress';

/** Every migration of this service, oldest first. */
export const migrations = [MessagingTables1732000000000, AuditTrail1732000000001, RetentionLifecycle1732000000002, PartnerNetwork1734100000002, IdempotencyKeys1734200000001, JobRuns1734400000001, MessagingRetention1734400000002, ExportProgress1734500000001, JobRunCounts1734500000002];
