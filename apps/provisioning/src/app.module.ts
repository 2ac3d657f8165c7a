import { Module } from '@nestjs/common';
import { PlatformModule } from '@offboarding/platform';
import { entities } from './entities';
import { LicensesModule } from './licenses/licenses.module';
import { migrations } from './migrations';
import { OrganizationReference } from './organizations/organization.model';

@Module({
  imports: [
    PlatformModule.forSubgraph({ service: 'provisioning', entities, migrations, entityStubs: [OrganizationReference] }),
    LicensesModule,
  ],
})
export class AppModule {}
