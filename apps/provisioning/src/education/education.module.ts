import { Module } from '@nestjs/common';
import { ProvisioningInfrastructureModule } from '../config/provisioning-infrastructure.module';
import { KnownEntitlementsModule } from '../known-entitlements/known-entitlements.module';
import { EnrollmentsResolver, OrganizationEducationResolver } from './education.resolver';
import { EducationService } from './education.service';

@Module({
  imports: [ProvisioningInfrastructureModule, KnownEntitlementsModule],
  providers: [EducationService, OrganizationEducationResolver, EnrollmentsResolver],
  exports: [EducationService],
})
export class EducationModule {}
