import { IdempotencyKeys1734200000001, MessagingRetention1734400000002, MessagingTables1732000000000 } from '@offboarding/messaging';
import { JobRunCounts1734500000002, JobRuns1734400000001 } from '@offboarding/platform';
import { OrganizationsAndEntitlements1732000000001 } from './1732000000001-organizations-and-entitlements';
import { Lifecycle1732000000002 } from './1732000000002-lifecycle';
import { InvoiceOrderIndex1732000000003 } from './1732000000003-invoice-order-index';
import { PartnerNetwork1734100000001 } from './1734100000001-partner-network';
import { OnePurgeRequestShape1734500000001 } from './1734500000001-one-purge-request-shape';

/** Every migration of this service, oldest first. */
export const migrations = [MessagingTables1732000000000, OrganizationsAndEntitlements1732000000001, Lifecycle1732000000002, InvoiceOrderIndex1732000000003, PartnerNetwork1734100000001, IdempotencyKeys1734200000001, JobRuns1734400000001, MessagingRetention1734400000002, OnePurgeRequestShape1734500000001, JobRunCounts1734500000002];
