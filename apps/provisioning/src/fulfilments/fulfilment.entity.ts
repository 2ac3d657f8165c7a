import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FulfilmentStatus } from './fulfilment-status';

/** The delivery of what an ORD entitlement (an order) bought. */
@Entity({ name: 'fulfilments' })
export class FulfilmentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'entitlement_id', type: 'uuid' })
  entitlementId!: string;

  @Column({ type: 'varchar', length: 200 })
  product!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: FulfilmentStatus;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
