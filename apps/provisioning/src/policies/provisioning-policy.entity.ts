import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { EntitlementClass } from '@offboarding/contracts';

/** Whether cancelling an entitlement of a class cleans up its resources; global when organizationId is null. */
@Entity({ name: 'provisioning_policies' })
export class ProvisioningPolicyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Column({ type: 'varchar', length: 3 })
  class!: EntitlementClass;

  @Column({ name: 'deprovision_on_cancel', type: 'boolean' })
  deprovisionOnCancel!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
