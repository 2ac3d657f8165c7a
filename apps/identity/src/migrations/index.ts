import { IdempotencyKeys1734200000001, MessagingRetention1734400000002, MessagingTables1732000000000 } from '@offboarding/messaging';
import { JobRunCounts1734500000002, JobRuns1734400000001 } from '@offboarding/platform';
import { PortalAccess1732000000001 } from './1732000000001-portal-access';
import { UsersSessionsSso1732000000002 } from './1732000000002-users-sessions-sso';
import { PasswordSetups1734100000003 } from './1734100000003-password-setups';
import { SignInThrottle1734300000001 } from './1734300000001-sign-in-throttle';
import { OnePurgeRequestShape1734500000001 } from './1734500000001-one-purge-request-shape';

/** Every migration of this service, oldest first. */
export const migrations = [MessagingTables1732000000000, PortalAccess1732000000001, UsersSessionsSso1732000000002, PasswordSetups1734100000003, IdempotencyKeys1734200000001, SignInThrottle1734300000001, JobRuns1734400000001, MessagingRetention1734400000002, OnePurgeRequestShape1734500000001, JobRunCounts1734500000002];
