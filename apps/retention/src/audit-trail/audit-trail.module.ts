import { Module } from '@nestjs/common';
import { AuditTrailEventHandlers } from './audit-trail.events';
import { OrganizationAuditTrailResolver } from './audit-trail.resolver';
import { AuditTrailService } from './audit-trail.service';

@Module({
  providers: [AuditTrailService, AuditTrailEventHandlers, OrganizationAuditTrailResolver],
})
export class AuditTrailModule {}
