import { registerEnumType } from '@nestjs/graphql';
import {
  CancellationReason,
  EntitlementClass,
  EntitlementStatus,
  OrganizationStatus,
  OrganizationType,
} from '@offboarding/contracts';

registerEnumType(OrganizationType, { name: 'OrganizationType' });
registerEnumType(OrganizationStatus, { name: 'OrganizationStatus' });
registerEnumType(EntitlementClass, {
  name: 'EntitlementClass',
  description: 'PLG plugin licence, ENV hosted environment, SVC service contract, ORD order, AFL affiliate programme, EDU education seats.',
});
registerEnumType(EntitlementStatus, { name: 'EntitlementStatus' });
registerEnumType(CancellationReason, { name: 'CancellationReason' });
