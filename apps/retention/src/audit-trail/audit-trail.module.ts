import { Module } from '@nestjs/common';
import { OrganizationAuditTrailResolver } from './audit-trail.resolver';
import { AuditTrailService } from './audit-trail.service';

@Module({
  providers: [AuditTrailService, OrganizationAuditTrailResolver],
  exports: [AuditTrailService],
})
export class AuditTrailModule {}
