import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An organization's identity provider. The connection secret is stored only encrypted
 * (AES-256-GCM, `secret_key_id` names the key); offboarding deletes it, ending SSO login.
 */
@Entity({ name: 'sso_connections' })
export class SsoConnectionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 10 })
  protocol!: 'OIDC' | 'SAML';

  @Column({ type: 'varchar', length: 500 })
  issuer!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 200 })
  clientId!: string;

  @Column({ name: 'secret_key_id', type: 'varchar', length: 50, nullable: true })
  secretKeyId!: string | null;

  @Column({ name: 'secret_ciphertext', type: 'text', nullable: true })
  secretCiphertext!: string | null;

  @Column({ name: 'secret_deleted_at', type: 'timestamptz', nullable: true })
  secretDeletedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
