import { MessagingTables1732000000000 } from '@offboarding/messaging';
import { Licenses1732000000001 } from './1732000000001-licenses';

/** Every migration of this service, oldest first. */
export const migrations = [MessagingTables1732000000000, Licenses1732000000001];
