import { IdempotencyKeys1734200000001, MessagingTables1732000000000 } from '@offboarding/messaging';
import { AuditTrail1732000000001 } from './1732000000001-audit-trail';
import { RetentionLifecycle1732000000002 } from './1732000000002-retention-lifecycle';

/** Every migration of this service, oldest first. */
export const migrations = [MessagingTables1732000000000, AuditTrail1732000000001, RetentionLifecycle1732000000002, IdempotencyKeys1734200000001];
