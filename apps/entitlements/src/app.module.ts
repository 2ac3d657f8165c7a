import { Module } from '@nestjs/common';
import { PlatformModule } from '@offboarding/platform';
import { EntitlementsModule } from './entitlements/entitlements.module';
import { entities } from './entities';
import { migrations } from './migrations';
import { OrganizationsModule } from './organizations/organizations.module';

@Module({
  imports: [
    PlatformModule.forSubgraph({
      service: 'entitlements',
      entities,
      migrations,
    }),
    OrganizationsModule,
    EntitlementsModule,
  ],
})
export class AppModule {}
