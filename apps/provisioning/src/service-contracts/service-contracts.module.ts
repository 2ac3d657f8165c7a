import { Module } from '@nestjs/common';
import { OrganizationServicesResolver, ServicesResolver } from './service-contracts.resolver';
import { ServiceContractsService } from './service-contracts.service';

@Module({
  providers: [ServiceContractsService, OrganizationServicesResolver, ServicesResolver],
  exports: [ServiceContractsService],
})
export class ServiceContractsModule {}
