import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@offboarding/persistence';

/**
 * Users (personal data in user_pii so it can be masked), password credentials, sessions and
 * their refresh tokens, SSO connections (secret encrypted), the organizations identity knows
 * (type and vendor, for the partner cascade), the local audit log and purge requests.
 */
export class UsersSessionsSso1732000000002 implements MigrationInterface {
  name = 'UsersSessionsSso1732000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.organizations (
        organization_id uuid PRIMARY KEY,
        type varchar(20) NOT NULL,
        vendor_id uuid,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX organizations_by_vendor ON ${s}.organizations (vendor_id) WHERE vendor_id IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE ${s}.users (
        id uuid PRIMARY KEY,
        organization_id uuid,
        role varchar(20) NOT NULL CHECK (role IN ('ADMIN', 'COLLABORATOR', 'PARTNER_USER')),
        status varchar(20) NOT NULL CHECK (status IN ('ACTIVE', 'DEACTIVATED')),
        deactivated_at timestamptz,
        masked_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK ((role = 'ADMIN') = (organization_id IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX users_by_organization ON ${s}.users (organization_id, created_at, id)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.user_pii (
        user_id uuid PRIMARY KEY REFERENCES ${s}.users (id) ON DELETE CASCADE,
        email varchar(320) NOT NULL,
        display_name varchar(200) NOT NULL
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX user_pii_email ON ${s}.user_pii (email)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.credentials (
        user_id uuid PRIMARY KEY REFERENCES ${s}.users (id) ON DELETE CASCADE,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES ${s}.users (id) ON DELETE CASCADE,
        organization_id uuid,
        method varchar(10) NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        access_expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revocation_reason varchar(40),
        revocation_logged_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX sessions_by_user ON ${s}.sessions (user_id)`);
    await queryRunner.query(`CREATE INDEX sessions_by_organization ON ${s}.sessions (organization_id) WHERE revoked_at IS NULL`);
    await queryRunner.query(`CREATE INDEX sessions_revocation_feed ON ${s}.sessions (revocation_logged_at) WHERE revocation_logged_at IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE ${s}.refresh_tokens (
        token_hash varchar(64) PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES ${s}.sessions (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX refresh_tokens_by_session ON ${s}.refresh_tokens (session_id)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.sso_connections (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        protocol varchar(10) NOT NULL CHECK (protocol IN ('OIDC', 'SAML')),
        issuer varchar(500) NOT NULL,
        client_id varchar(200) NOT NULL,
        secret_key_id varchar(50),
        secret_ciphertext text,
        secret_deleted_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX sso_connections_by_organization ON ${s}.sso_connections (organization_id, created_at, id)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.audit_log (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        actor varchar(200) NOT NULL,
        action varchar(100) NOT NULL,
        reason varchar(100),
        subject_type varchar(50) NOT NULL,
        subject_id varchar(100) NOT NULL,
        before_status varchar(50),
        after_status varchar(50),
        occurred_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX audit_log_by_organization ON ${s}.audit_log (organization_id, occurred_at)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.purge_requests (
        request_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        status varchar(16) NOT NULL,
        deleted jsonb NOT NULL,
        requested_at timestamptz NOT NULL,
        completed_at timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    for (const table of ['purge_requests', 'audit_log', 'sso_connections', 'refresh_tokens', 'sessions', 'credentials', 'user_pii', 'users', 'organizations']) {
      await queryRunner.query(`DROP TABLE ${s}.${table}`);
    }
  }
}
