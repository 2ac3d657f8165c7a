import { Module } from '@nestjs/common';
import { PlatformModule } from '@offboarding/platform';
import { entities } from './entities';
import { EntitlementLifecycleModule } from './lifecycle/entitlement-lifecycle.module';
import { migrations } from './migrations';
import { OrganizationReference } from './organizations/organization.model';
import { OrganizationsResolver } from './organizations/organizations.resolver';
import { ProvisioningPoliciesModule } from './policies/provisioning-policies.module';
import { PrivacyModule } from './privacy/privacy.module';

@Module({
  imports: [
    PlatformModule.forSubgraph({ service: 'provisioning', entities, migrations, entityStubs: [OrganizationReference] }),
    ProvisioningPoliciesModule,
    // Brings every class's feature module (licences, environments, services, affiliates, education, fulfilments).
    EntitlementLifecycleModule,
    PrivacyModule,
  ],
  providers: [OrganizationsResolver],
})
export class AppModule {}
