import { Module } from '@nestjs/common';
import { AffiliatesModule } from '../affiliates/affiliates.module';
import { EducationModule } from '../education/education.module';
import { EnvironmentsModule } from '../environments/environments.module';
import { FulfilmentsModule } from '../fulfilments/fulfilments.module';
import { KnownEntitlementsModule } from '../known-entitlements/known-entitlements.module';
import { LicensesModule } from '../licenses/licenses.module';
import { ProvisioningPoliciesModule } from '../policies/provisioning-policies.module';
import { ServiceContractsModule } from '../service-contracts/service-contracts.module';
import { EntitlementLifecycleEventHandlers } from './entitlement-lifecycle.events';
import { EntitlementLifecycleService } from './entitlement-lifecycle.service';

@Module({
  imports: [
    KnownEntitlementsModule,
    ProvisioningPoliciesModule,
    LicensesModule,
    EnvironmentsModule,
    ServiceContractsModule,
    AffiliatesModule,
    EducationModule,
    FulfilmentsModule,
  ],
  providers: [EntitlementLifecycleService, EntitlementLifecycleEventHandlers],
  exports: [EntitlementLifecycleService],
})
export class EntitlementLifecycleModule {}
