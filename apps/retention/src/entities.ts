import { AuditEntryEntity } from './audit-trail/audit-entry.entity';

export const entities = [AuditEntryEntity];
