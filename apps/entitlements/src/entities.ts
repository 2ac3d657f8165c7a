import { PurgeRequestEntity } from '@offboarding/data-lifecycle';
import { AuditLogEntity } from '@offboarding/platform';
import { EntitlementEntity } from './entitlements/entitlement.entity';
import { OffboardingCaseEntity } from './offboarding/offboarding-case.entity';
import { ContactEntity } from './organizations/contact.entity';
import { OrganizationEntity } from './organizations/organization.entity';
import { CancellationPolicyEntity } from './policies/cancellation-policy.entity';
import { DocumentEntity, InvoiceEntity, OrderEntity, QuoteEntity } from './records/records.entities';

export const entities = [
  OrganizationEntity,
  ContactEntity,
  EntitlementEntity,
  CancellationPolicyEntity,
  OffboardingCaseEntity,
  OrderEntity,
  QuoteEntity,
  InvoiceEntity,
  DocumentEntity,
  AuditLogEntity,
  PurgeRequestEntity,
];
