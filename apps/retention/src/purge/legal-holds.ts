import { type EntityManager, In, IsNull } from 'typeorm';
import type { RetentionCaseEntity } from '../timeline/retention.entities';
import { LegalHoldEntity } from './purge.entities';

/**
 * The hold that keeps a case from masking and purge: one on the organization itself or, for a
 * partner offboarded with its vendor, one on the vendor (a vendor's hold covers its network).
 */
export function activeHoldFor(manager: EntityManager, retentionCase: Pick<RetentionCaseEntity, 'organizationId' | 'vendorOrganizationId'>): Promise<LegalHoldEntity | null> {
  const organizations = [retentionCase.organizationId, ...(retentionCase.vendorOrganizationId ? [retentionCase.vendorOrganizationId] : [])];
  return manager.findOne(LegalHoldEntity, { where: { organizationId: In(organizations), releasedAt: IsNull() }, order: { placedAt: 'ASC' } });
}
