import { Module } from '@nestjs/common';
import { AffiliatesModule } from '../affiliates/affiliates.module';
import { ProvisioningInfrastructureModule } from '../config/provisioning-infrastructure.module';
import { MaskingService } from './masking.service';
import { PrivacyEventHandlers } from './privacy.events';
import { PurgeService } from './purge.service';

@Module({
  imports: [ProvisioningInfrastructureModule, AffiliatesModule],
  providers: [MaskingService, PurgeService, PrivacyEventHandlers],
  exports: [MaskingService, PurgeService],
})
export class PrivacyModule {}
