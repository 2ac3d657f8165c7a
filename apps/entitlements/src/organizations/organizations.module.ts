import { Module } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log';
import { CancellationPoliciesResolver } from '../policies/cancellation-policies.resolver';
import { CancellationPoliciesService } from '../policies/cancellation-policies.service';
import { DataLifecycleService } from './data-lifecycle.service';
import { OrganizationsResolver } from './organizations.resolver';
import { OrganizationsService } from './organizations.service';

@Module({
  providers: [
    AuditLog,
    OrganizationsService,
    OrganizationsResolver,
    CancellationPoliciesService,
    CancellationPoliciesResolver,
    DataLifecycleService,
  ],
  exports: [AuditLog, OrganizationsService, CancellationPoliciesService, DataLifecycleService],
})
export class OrganizationsModule {}
