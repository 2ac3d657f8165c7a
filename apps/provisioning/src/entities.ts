import { PurgeRequestEntity } from '@offboarding/data-lifecycle';
import { CampaignEntity, PartnerRelationshipEntity, TrackingLinkEntity } from './affiliates/affiliate.entities';
import { CourseSeatEntity, EnrollmentEntity } from './education/education.entities';
import { EnvironmentExportEntity } from './environments/environment-export.entity';
import { EnvironmentEntity } from './environments/environment.entity';
import { FulfilmentEntity } from './fulfilments/fulfilment.entity';
import { KnownEntitlementEntity } from './known-entitlements/known-entitlement.entity';
import { LicenseEntity } from './licenses/license.entity';
import { PluginReleaseEntity } from './licenses/plugin-release.entity';
import { SiteActivationEntity } from './licenses/site-activation.entity';
import { ProvisioningPolicyEntity } from './policies/provisioning-policy.entity';
import { ContractEntity, CreditBalanceEntity, CustomerServiceEntity, ServiceRequestEntity } from './service-contracts/service-contract.entities';

export const entities = [
  KnownEntitlementEntity,
  ProvisioningPolicyEntity,
  LicenseEntity,
  SiteActivationEntity,
  PluginReleaseEntity,
  EnvironmentEntity,
  EnvironmentExportEntity,
  CustomerServiceEntity,
  ContractEntity,
  ServiceRequestEntity,
  CreditBalanceEntity,
  CampaignEntity,
  TrackingLinkEntity,
  PartnerRelationshipEntity,
  CourseSeatEntity,
  EnrollmentEntity,
  FulfilmentEntity,
  PurgeRequestEntity,
];
