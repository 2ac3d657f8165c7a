import { EntitlementEntity } from './entitlements/entitlement.entity';
import { OrganizationEntity } from './organizations/organization.entity';

export const entities = [OrganizationEntity, EntitlementEntity];
