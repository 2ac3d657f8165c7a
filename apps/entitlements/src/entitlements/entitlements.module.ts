import { Module } from '@nestjs/common';
import { LifecycleWiring } from '../lifecycle.wiring';
import { OffboardingResolver } from '../offboarding/offboarding.resolver';
import { OffboardingService } from '../offboarding/offboarding.service';
import { OrganizationsModule } from '../organizations/organizations.module';
import { RecordsResolver } from '../records/records.resolver';
import { RecordsService } from '../records/records.service';
import { EntitlementsResolver, OrganizationEntitlementsResolver } from './entitlements.resolver';
import { EntitlementsService } from './entitlements.service';

@Module({
  imports: [OrganizationsModule],
  providers: [
    EntitlementsService,
    EntitlementsResolver,
    OrganizationEntitlementsResolver,
    OffboardingService,
    OffboardingResolver,
    RecordsService,
    RecordsResolver,
    LifecycleWiring,
  ],
})
export class EntitlementsModule {}
