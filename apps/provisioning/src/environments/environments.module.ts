import { Module } from '@nestjs/common';
import { ProvisioningInfrastructureModule } from '../config/provisioning-infrastructure.module';
import { EnvironmentTeardownJob } from './environment-teardown.job';
import { EnvironmentsResolver, OrganizationEnvironmentsResolver } from './environments.resolver';
import { EnvironmentsService } from './environments.service';

@Module({
  imports: [ProvisioningInfrastructureModule],
  providers: [EnvironmentsService, EnvironmentTeardownJob, OrganizationEnvironmentsResolver, EnvironmentsResolver],
  exports: [EnvironmentsService],
})
export class EnvironmentsModule {}
