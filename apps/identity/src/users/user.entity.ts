import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ExportJoined, type Role } from '@offboarding/platform';
import { Pii } from '@offboarding/data-lifecycle';

export const UserStatus = { ACTIVE: 'ACTIVE', DEACTIVATED: 'DEACTIVATED' } as const;
export type UserStatus = (typeof UserStatus)[keyof typeof UserStatus];

/**
 * A user account without personal data (that lives in user_pii, so it can be masked). The
 * organization's export lists its users with their e-mail and name (masked values once masked).
 */
@ExportJoined({ table: 'user_pii', key: 'user_id', columns: ['email', 'display_name'] })
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** Null for staff. */
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Column({ type: 'varchar', length: 20 })
  role!: Role;

  @Column({ type: 'varchar', length: 20 })
  status!: UserStatus;

  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true })
  deactivatedAt!: Date | null;

  /** Set once the user's PII was masked: the account can never come back. */
  @Column({ name: 'masked_at', type: 'timestamptz', nullable: true })
  maskedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** The personal data of a user. Masked in place (keyed hash) when the organization's PII is masked. */
@Entity({ name: 'user_pii' })
export class UserPiiEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** Lower-cased; unique across the platform. */
  @Pii()
  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Pii()
  @Column({ name: 'display_name', type: 'varchar', length: 200 })
  displayName!: string;
}

/** A password credential. Deleted by offboarding, after which password login fails. */
@Entity({ name: 'credentials' })
export class CredentialEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** What identity knows of an organization: its type and, for a partner, its vendor (for the cascade). */
@Entity({ name: 'organizations' })
export class KnownOrganizationEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 20 })
  type!: string;

  @Column({ name: 'vendor_id', type: 'uuid', nullable: true })
  vendorId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
