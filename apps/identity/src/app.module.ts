import { Module } from '@nestjs/common';
import { PlatformModule } from '@offboarding/platform';
import { entities } from './entities';
import { migrations } from './migrations';
import { OrganizationReference } from './organizations/organization.model';
import { PortalAccessModule } from './portal-access/portal-access.module';

@Module({
  imports: [
    PlatformModule.forSubgraph({ service: 'identity', entities, migrations, entityStubs: [OrganizationReference] }),
    PortalAccessModule,
  ],
})
export class AppModule {}
