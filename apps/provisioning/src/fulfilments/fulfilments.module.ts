import { Module } from '@nestjs/common';
import { FulfilmentsResolver, OrganizationFulfilmentsResolver } from './fulfilments.resolver';
import { FulfilmentsService } from './fulfilments.service';

@Module({
  providers: [FulfilmentsService, OrganizationFulfilmentsResolver, FulfilmentsResolver],
  exports: [FulfilmentsService],
})
export class FulfilmentsModule {}
