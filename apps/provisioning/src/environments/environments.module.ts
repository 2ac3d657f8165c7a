import { Module } from '@nestjs/common';
import { ProvisioningInfrastructureModule } from '../config/provisioning-infrastructure.module';
import { EnvironmentExportDownloadController } from './environment-export-download.controller';
import { EnvironmentTeardownJob } from './environment-teardown.job';
import { EnvironmentExportsResolver, EnvironmentsResolver, OrganizationEnvironmentsResolver } from './environments.resolver';
import { EnvironmentsService } from './environments.service';

@Module({
  imports: [ProvisioningInfrastructureModule],
  controllers: [EnvironmentExportDownloadController],
  providers: [EnvironmentsService, EnvironmentTeardownJob, OrganizationEnvironmentsResolver, EnvironmentsResolver, EnvironmentExportsResolver],
  exports: [EnvironmentsService],
})
export class EnvironmentsModule {}
