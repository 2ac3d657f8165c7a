import { Column, Entity, PrimaryColumn } from 'typeorm';

export const RevocationReason = {
  LOGOUT: 'LOGOUT',
  ADMIN: 'ADMIN',
  ACCOUNT_DEACTIVATED: 'ACCOUNT_DEACTIVATED',
  PORTAL_ACCESS_DISABLED: 'PORTAL_ACCESS_DISABLED',
  REFRESH_TOKEN_REUSED: 'REFRESH_TOKEN_REUSED',
  /** The user set a new password with a password-setup link: every older sign-in ends. */
  PASSWORD_SET: 'PASSWORD_SET',
} as const;
export type RevocationReason = (typeof RevocationReason)[keyof typeof RevocationReason];

/** One sign-in: the access tokens and the chain of refresh tokens issued for it. */
@Entity({ name: 'sessions' })
export class SessionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Column({ type: 'varchar', length: 10 })
  method!: 'PASSWORD' | 'SSO';

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When the session ends for good: no refresh after it. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** Expiry of the latest access token issued, so the gateway can forget a revocation after it. */
  @Column({ name: 'access_expires_at', type: 'timestamptz' })
  accessExpiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revocation_reason', type: 'varchar', length: 40, nullable: true })
  revocationReason!: string | null;

  /** Database time of the revocation: the cursor of the gateway's revocation feed. */
  @Column({ name: 'revocation_logged_at', type: 'timestamptz', nullable: true })
  revocationLoggedAt!: Date | null;
}

/** A refresh token, stored as its SHA-256. Each is used once; using one twice revokes the session. */
@Entity({ name: 'refresh_tokens' })
export class RefreshTokenEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
