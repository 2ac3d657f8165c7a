import { MessagingTables1732000000000 } from '@offboarding/messaging';
import { OrganizationsAndEntitlements1732000000001 } from './1732000000001-organizations-and-entitlements';

/** Every migration of this service, oldest first. */
export const migrations = [MessagingTables1732000000000, OrganizationsAndEntitlements1732000000001];
