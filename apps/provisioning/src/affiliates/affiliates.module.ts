import { Module } from '@nestjs/common';
import { ProvisioningInfrastructureModule } from '../config/provisioning-infrastructure.module';
import { KnownEntitlementsModule } from '../known-entitlements/known-entitlements.module';
import { CampaignsResolver, OrganizationAffiliatesResolver, TrackingLinksResolver } from './affiliates.resolver';
import { AffiliatesService } from './affiliates.service';
import { TrackingLinksController } from './tracking-links.controller';

@Module({
  imports: [ProvisioningInfrastructureModule, KnownEntitlementsModule],
  controllers: [TrackingLinksController],
  providers: [AffiliatesService, OrganizationAffiliatesResolver, CampaignsResolver, TrackingLinksResolver],
  exports: [AffiliatesService],
})
export class AffiliatesModule {}
