import { Module } from '@nestjs/common';
import { ProvisioningInfrastructureModule } from '../config/provisioning-infrastructure.module';
import { PluginDistributionController } from './plugin-distribution.controller';
import { PluginDistributionService } from './plugin-distribution.service';
import { PluginReleasesService } from './plugin-releases.service';
import { LicensesResolver, OrganizationLicensesResolver } from './licenses.resolver';
import { LicensesService } from './licenses.service';

@Module({
  imports: [ProvisioningInfrastructureModule],
  controllers: [PluginDistributionController],
  providers: [LicensesService, PluginReleasesService, PluginDistributionService, OrganizationLicensesResolver, LicensesResolver],
  exports: [LicensesService],
})
export class LicensesModule {}
