import { Injectable } from '@nestjs/common';
import { Clock, ServiceAuditLog } from '@offboarding/platform';

/** This service's audit log: entries in its own `audit_log` table, published as `identity.audit_recorded`. */
@Injectable()
export class AuditLog extends ServiceAuditLog {
  constructor(clock: Clock) {
    super(clock, 'com.offboarding.identity.audit_recorded.v1');
  }
}
