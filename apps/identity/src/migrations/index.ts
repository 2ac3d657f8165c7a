import { MessagingTables1732000000000 } from '@offboarding/messaging';
import { PortalAccess1732000000001 } from './1732000000001-portal-access';

/** Every migration of this service, oldest first. */
export const migrations = [MessagingTables1732000000000, PortalAccess1732000000001];
