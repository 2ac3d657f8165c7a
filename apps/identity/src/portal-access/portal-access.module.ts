import { Module } from '@nestjs/common';
import { PortalAccessEventHandlers } from './portal-access.events';
import { OrganizationPortalAccessResolver } from './portal-access.resolver';
import { PortalAccessService } from './portal-access.service';

@Module({
  providers: [PortalAccessService, PortalAccessEventHandlers, OrganizationPortalAccessResolver],
})
export class PortalAccessModule {}
