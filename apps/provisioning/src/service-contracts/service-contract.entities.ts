import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../shared/bigint-transformer';
import type { CreditBalanceStatus, ServiceRequestStatus, ServiceStatus } from './service-contract-status';

/** A service an SVC entitlement feeds (support plan, managed service). */
@Entity({ name: 'customer_services' })
export class CustomerServiceEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'entitlement_id', type: 'uuid' })
  entitlementId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: ServiceStatus;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** The contract under which a service is delivered. */
@Entity({ name: 'contracts' })
export class ContractEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'entitlement_id', type: 'uuid' })
  entitlementId!: string;

  @Column({ name: 'service_id', type: 'uuid' })
  serviceId!: string;

  @Column({ type: 'varchar', length: 50 })
  reference!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: ServiceStatus;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Work the customer asked for under a service. */
@Entity({ name: 'service_requests' })
export class ServiceRequestEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'service_id', type: 'uuid' })
  serviceId!: string;

  @Column({ type: 'varchar', length: 500 })
  subject!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: ServiceRequestStatus;

  @Column({ name: 'review_since', type: 'timestamptz', nullable: true })
  reviewSince!: Date | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'resolved_by', type: 'varchar', length: 200, nullable: true })
  resolvedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Prepaid service credits of an SVC entitlement. */
@Entity({ name: 'credit_balances' })
export class CreditBalanceEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'entitlement_id', type: 'uuid' })
  entitlementId!: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  credits!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: CreditBalanceStatus;

  @Column({ name: 'frozen_at', type: 'timestamptz', nullable: true })
  frozenAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
