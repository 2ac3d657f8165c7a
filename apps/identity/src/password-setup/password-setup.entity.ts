import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ExcludeFromExport } from '@offboarding/platform';

export const PasswordSetupPurpose = { INVITATION: 'INVITATION', RESET: 'RESET', WIN_BACK: 'WIN_BACK' } as const;
export type PasswordSetupPurpose = (typeof PasswordSetupPurpose)[keyof typeof PasswordSetupPurpose];

/**
 * A single-use, expiring password-setup link. Only the SHA-256 of its token is kept: the token
 * itself leaves the service once, in the link of `password_setup_issued`, and is never stored.
 */
@ExcludeFromExport()
@Entity({ name: 'password_setups' })
export class PasswordSetupEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  /** Hex SHA-256 of the token (256 random bits: a fast hash cannot be reversed). */
  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 16 })
  purpose!: PasswordSetupPurpose;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  /** A newer link for the same user replaced this one. */
  @Column({ name: 'replaced_at', type: 'timestamptz', nullable: true })
  replacedAt!: Date | null;

  @Column({ name: 'issued_by', type: 'varchar', length: 200 })
  issuedBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
