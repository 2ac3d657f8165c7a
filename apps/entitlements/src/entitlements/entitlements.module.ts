import { Module } from '@nestjs/common';
import { OrganizationsModule } from '../organizations/organizations.module';
import { EntitlementsResolver, OrganizationEntitlementsResolver } from './entitlements.resolver';
import { EntitlementsService } from './entitlements.service';

@Module({
  imports: [OrganizationsModule],
  providers: [EntitlementsService, EntitlementsResolver, OrganizationEntitlementsResolver],
})
export class EntitlementsModule {}
