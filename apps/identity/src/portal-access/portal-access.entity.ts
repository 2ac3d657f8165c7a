import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Whether an organization's collaborators may use the customer portal. */
@Entity({ name: 'portal_access' })
export class PortalAccessEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt!: Date;
}
