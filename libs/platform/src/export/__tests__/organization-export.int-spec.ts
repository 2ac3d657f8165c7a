import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Column, DataSource, Entity, type MigrationInterface, PrimaryColumn, type QueryRunner } from 'typeorm';
import { openServiceDatabase, schemaOf, type ServiceDatabase } from '@offboarding/persistence';
import { testDatabaseTarget, uniqueSchema } from '@offboarding/testing';
import { INTERNAL_TOKEN_HEADER, internalAuthHeaders } from '../../auth/internal-token';
import { DEVELOPMENT_INTERNAL_TOKEN, loadServiceConfig } from '../../config/service-config';
import { SERVICE_CONFIG } from '../../nest/tokens';
import { ExcludeFromExport, ExportJoined, ExportRelated } from '../export-exclusion';
import { OrganizationExportController } from '../organization-export.controller';

@ExportRelated({ collection: 'partners', organizationColumn: 'vendor_id', columns: ['id', 'name'] })
@Entity({ name: 'organizations' })
class OrganizationRow {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'varchar' }) name!: string;
  @Column({ name: 'vendor_id', type: 'uuid', nullable: true }) vendorId!: string | null;
}

@ExportJoined({ table: 'member_pii', key: 'member_id', columns: ['email', 'display_name', 'recovery_secret'] })
@ExportRelated({ collection: 'partner_members', organizationColumn: 'vendor_id', via: { table: 'organizations', key: 'organization_id' } })
@Entity({ name: 'members' })
class MemberRow {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId!: string;
  @Column({ type: 'varchar' }) role!: string;
}

@Entity({ name: 'users' })
class UserRow {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' }) organizationId!: string;
  @PrimaryColumn({ type: 'integer' }) number!: number;
  @Column({ type: 'varchar' }) email!: string;
  @Column({ name: 'password_hash', type: 'varchar' }) passwordHash!: string;
  @ExcludeFromExport()
  @Column({ name: 'sso_assertion', type: 'varchar' }) ssoAssertion!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity({ name: 'signing_keys' })
@ExcludeFromExport()
class SigningKeyRow {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId!: string;
}

@Entity({ name: 'releases' })
class ReleaseRow {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
}

class ExportTables1732000000001 implements MigrationInterface {
  name = 'ExportTables1732000000001';
  async up(runner: QueryRunner): Promise<void> {
    const s = schemaOf(runner);
    await runner.query(`CREATE TABLE ${s}.organizations (id uuid PRIMARY KEY, name varchar NOT NULL, vendor_id uuid)`);
    await runner.query(`CREATE TABLE ${s}.members (id uuid PRIMARY KEY, organization_id uuid NOT NULL, role varchar NOT NULL)`);
    await runner.query(`CREATE TABLE ${s}.member_pii (member_id uuid PRIMARY KEY, email varchar NOT NULL, display_name varchar NOT NULL, recovery_secret varchar)`);
    await runner.query(`CREATE TABLE ${s}.users (organization_id uuid, number integer, email varchar NOT NULL, password_hash varchar NOT NULL,
      sso_assertion varchar NOT NULL, created_at timestamptz NOT NULL, PRIMARY KEY (organization_id, number))`);
    await runner.query(`CREATE TABLE ${s}.signing_keys (id uuid PRIMARY KEY, organization_id uuid NOT NULL)`);
    await runner.query(`CREATE TABLE ${s}.releases (id uuid PRIMARY KEY)`);
    await runner.query(`CREATE TABLE ${s}.outbox (id uuid PRIMARY KEY, organization_id uuid)`);
  }
  async down(): Promise<void> {}
}

describe('the internal export endpoint every service mounts', () => {
  let db: ServiceDatabase;
  let app: INestApplication;
  let base = '';
  const a = randomUUID();
  const b = randomUUID();

  beforeAll(async () => {
    db = await openServiceDatabase({
      service: 'identity',
      schema: uniqueSchema('export'),
      entities: [OrganizationRow, MemberRow, UserRow, SigningKeyRow, ReleaseRow],
      migrations: [ExportTables1732000000001],
      migrate: true,
      target: testDatabaseTarget(),
    });
    const s = `"${db.schema}"`;
    await db.dataSource.query(`INSERT INTO ${s}.organizations VALUES ($1, 'A', NULL), ($2, 'B', NULL)`, [a, b]);
    await db.dataSource.query(
      `INSERT INTO ${s}.users SELECT $1, n, 'user' || n || '@a.example', 'argon2id$secret', 'assertion', '2025-01-01T00:00:00Z' FROM generate_series(1, 1234) n`,
      [a],
    );
    await db.dataSource.query(`INSERT INTO ${s}.users VALUES ($1, 1, 'b@b.example', 'h', 'x', now())`, [b]);
    await db.dataSource.query(`INSERT INTO ${s}.signing_keys VALUES ($1, $2)`, [randomUUID(), a]);
    @Module({ controllers: [OrganizationExportController], providers: [{ provide: DataSource, useValue: db.dataSource }, { provide: SERVICE_CONFIG, useValue: loadServiceConfig('entitlements', {}) }] })
    class ExportTestModule {}
    app = await NestFactory.create(ExportTestModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    const server = app.getHttpServer() as { address(): AddressInfo };
    base = `http://127.0.0.1:${server.address().port}/internal/export`;
  });

  afterAll(async () => {
    await app?.close();
    if (db?.target.kind === 'postgres') await db.dataSource.query(`DROP SCHEMA "${db.schema}" CASCADE`);
    await db?.close();
  });

  it('lists the collections an organization has, without secrets, excluded entities, messaging or unrelated tables', async () => {
    const response = await fetch(`${base}/${a}/collections`, { headers: internalAuthHeaders(DEVELOPMENT_INTERNAL_TOKEN) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      collections: {
        members: { rows: 0, columns: ['id', 'organization_id', 'role', 'email', 'display_name'] },
        organizations: { rows: 1, columns: ['id', 'name', 'vendor_id'] },
        partner_members: { rows: 0, columns: ['id', 'organization_id', 'role'], related: true },
        partners: { rows: 0, columns: ['id', 'name'], related: true },
        users: { rows: 1234, columns: ['organization_id', 'number', 'email', 'created_at'] },
      },
    });
  });

  it("streams every row of the organization's collections in keyset batches, and nothing of another's", async () => {
    const response = await fetch(`${base}/${a}`, { headers: internalAuthHeaders(DEVELOPMENT_INTERNAL_TOKEN) });
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as { collection: string; row: Record<string, unknown> });
    expect(lines[0]).toEqual({ collection: 'organizations', row: { id: a, name: 'A', vendor_id: null } });
    const users = lines.filter((line) => line.collection === 'users').map((line) => line.row);
    expect(users).toHaveLength(1234);
    expect(users.map((user) => user.number)).toEqual(Array.from({ length: 1234 }, (_, i) => i + 1));
    expect(users[0]).toEqual({ organization_id: a, number: 1, email: 'user1@a.example', created_at: '2025-01-01T00:00:00.000Z' });
    expect(JSON.stringify(lines)).not.toMatch(/argon2id|assertion|b@b\.example/);

    const one = await fetch(`${base}/${b}?collection=users`, { headers: internalAuthHeaders(DEVELOPMENT_INTERNAL_TOKEN) });
    expect((await one.text()).trim().split('\n')).toHaveLength(1);
  });

  it("carries joined one-to-one columns (never a secret one) and a vendor's related organizations, which a purge does not count", async () => {
    const vendor = randomUUID();
    const partners = [randomUUID(), randomUUID()].sort();
    const s = `"${db.schema}"`;
    await db.dataSource.query(`INSERT INTO ${s}.organizations VALUES ($1, 'Vendor', NULL), ($2, 'P1', $1), ($3, 'P2', $1)`, [vendor, ...partners]);
    const own = randomUUID();
    const partnerMember = randomUUID();
    const bare = randomUUID();
    await db.dataSource.query(`INSERT INTO ${s}.members VALUES ($1, $2, 'OWNER'), ($3, $4, 'SALES'), ($5, $2, 'VIEWER')`, [own, vendor, partnerMember, partners[0], bare]);
    await db.dataSource.query(`INSERT INTO ${s}.member_pii VALUES ($1, 'v@vendor.example', 'Vera', 'hunter2'), ($2, 'p@partner.example', 'Paul', NULL)`, [own, partnerMember]);

    const summary = (await (await fetch(`${base}/${vendor}/collections`, { headers: internalAuthHeaders(DEVELOPMENT_INTERNAL_TOKEN) })).json()) as { collections: Record<string, unknown> };
    expect(summary.collections).toEqual({
      organizations: { rows: 1, columns: ['id', 'name', 'vendor_id'] },
      members: { rows: 2, columns: ['id', 'organization_id', 'role', 'email', 'display_name'] },
      partners: { rows: 2, columns: ['id', 'name'], related: true },
      partner_members: { rows: 1, columns: ['id', 'organization_id', 'role'], related: true },
      users: { rows: 0, columns: ['organization_id', 'number', 'email', 'created_at'] },
    });
    const lines = (await (await fetch(`${base}/${vendor}`, { headers: internalAuthHeaders(DEVELOPMENT_INTERNAL_TOKEN) })).text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { collection: string; row: Record<string, unknown> });
    const rows = (collection: string) => lines.filter((line) => line.collection === collection).map((line) => line.row);
    expect(rows('members')).toEqual(
      [
        { id: own, organization_id: vendor, role: 'OWNER', email: 'v@vendor.example', display_name: 'Vera' },
        { id: bare, organization_id: vendor, role: 'VIEWER', email: null, display_name: null },
      ].sort((x, y) => (x.id < y.id ? -1 : 1)),
    );
    expect(rows('partners')).toEqual([{ id: partners[0], name: 'P1' }, { id: partners[1], name: 'P2' }]);
    expect(rows('partner_members')).toEqual([{ id: partnerMember, organization_id: partners[0], role: 'SALES' }]);
    expect(JSON.stringify(lines)).not.toContain('hunter2');
    // A partner's own export has no related collections of its own, and never the vendor's rows.
    const partner = (await (await fetch(`${base}/${partners[0]}/collections`, { headers: internalAuthHeaders(DEVELOPMENT_INTERNAL_TOKEN) })).json()) as { collections: Record<string, { rows: number }> };
    expect(partner.collections.partners.rows).toBe(0);
    expect(partner.collections.members.rows).toBe(1);
  });

  it('answers only callers with the internal token, and refuses bad input', async () => {
    expect((await fetch(`${base}/${a}`)).status).toBe(401);
    expect((await fetch(`${base}/${a}`, { headers: { [INTERNAL_TOKEN_HEADER]: 'x'.repeat(40) } })).status).toBe(401);
    expect((await fetch(`${base}/not-a-uuid`, { headers: internalAuthHeaders(DEVELOPMENT_INTERNAL_TOKEN) })).status).toBe(400);
    expect((await fetch(`${base}/${a}?collection=signing_keys`, { headers: internalAuthHeaders(DEVELOPMENT_INTERNAL_TOKEN) })).status).toBe(404);
  });
});
