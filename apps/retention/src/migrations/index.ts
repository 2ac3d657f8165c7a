import { IdempotencyKeys1734200000001, MessagingTables1732000000000 } from '@offboarding/messaging';
import { AuditTrail1732000000001 } from './1732000000001-audit-trail';
import { RetentionLifecycle1732000000002 } from './1732000000002-retention-lifecycle';
import { PartnerNetwork1734100000002 } from './1734100000002-partner-network';

/** Every migration of this service, oldest first. */
export const migrations = [MessagingTables1732000000000, AuditTrail1732000000001, RetentionLifecycle1732000000002, PartnerNetwork1734100000002, IdempotencyKeys1734200000001];
