import { randomUUID } from 'node:crypto';
import { DEFAULT_CANCELLATION_POLICY } from '@offboarding/contracts';
import { Outbox } from '@offboarding/messaging';
import { openServiceDatabase, type ServiceDatabase } from '@offboarding/persistence';
import { SystemClock } from '@offboarding/platform';
import { testDatabaseTarget, uniqueSchema } from '@offboarding/testing';
import { entities } from '../entities';
import { LicensesService } from '../licenses/licenses.service';
import { migrations } from '../migrations';

describe('licences driven by entitlement events', () => {
  let db: ServiceDatabase;
  let licenses: LicensesService;
  const organizationId = randomUUID();

  const events = () =>
    db.dataSource.query<{ type: string; payload: { licenseId: string } }[]>(`SELECT type, payload FROM "${db.schema}".outbox ORDER BY seq`);
  const granted = (entitlementId: string, entitlementClass: 'PLG' | 'ENV') => ({
    organizationId,
    entitlementId,
    class: entitlementClass,
    product: 'SEO Plugin Pro',
    grantedAt: new Date().toISOString(),
  });
  const cancelled = (entitlementId: string) => ({
    organizationId,
    entitlementId,
    class: 'PLG' as const,
    reason: 'CUSTOMER_REQUEST' as const,
    cancelledAt: new Date().toISOString(),
    cancelledBy: 'staff-1',
    policy: DEFAULT_CANCELLATION_POLICY,
    reactivatableUntil: null,
    portalVisibleUntil: new Date().toISOString(),
    remainingActiveEntitlements: 0,
  });

  beforeAll(async () => {
    db = await openServiceDatabase({ service: 'provisioning', schema: uniqueSchema('provisioning'), entities, migrations, migrate: true, target: testDatabaseTarget() });
    licenses = new LicensesService(db.dataSource, new Outbox('provisioning'), new SystemClock());
  });

  afterAll(async () => {
    if (db?.target.kind === 'postgres') await db.dataSource.query(`DROP SCHEMA "${db.schema}" CASCADE`);
    await db?.close();
  });

  it('issues one licence per PLG entitlement, none for other classes, and cancels it once', async () => {
    const plg = randomUUID();
    await db.dataSource.transaction((m) => licenses.onEntitlementGranted(m, granted(plg, 'PLG')));
    await db.dataSource.transaction((m) => licenses.onEntitlementGranted(m, granted(plg, 'PLG')));
    await db.dataSource.transaction((m) => licenses.onEntitlementGranted(m, granted(randomUUID(), 'ENV')));

    const [license] = await licenses.listForOrganization(organizationId);
    expect(await licenses.listForOrganization(organizationId)).toHaveLength(1);
    expect(license).toMatchObject({ entitlementId: plg, status: 'ACTIVE', product: 'SEO Plugin Pro' });
    expect(license.licenseKey).toMatch(/^[0-9A-F]{8}(-[0-9A-F]{8}){4}$/);

    await db.dataSource.transaction((m) => licenses.onEntitlementCancelled(m, cancelled(plg)));
    await db.dataSource.transaction((m) => licenses.onEntitlementCancelled(m, cancelled(plg)));
    expect((await licenses.listForOrganization(organizationId))[0]).toMatchObject({ status: 'CANCELLED' });
    expect((await events()).map((e) => [e.type, e.payload.licenseId])).toEqual([
      ['com.offboarding.provisioning.license_issued.v1', license.id],
      ['com.offboarding.provisioning.license_cancelled.v1', license.id],
    ]);
  });

  it('rolls the licence back with its event when the transaction fails', async () => {
    const entitlementId = randomUUID();
    const before = (await events()).length;
    await expect(
      db.dataSource.transaction(async (m) => {
        await licenses.onEntitlementGranted(m, granted(entitlementId, 'PLG'));
        throw new Error('handler failed later');
      }),
    ).rejects.toThrow('handler failed later');
    expect((await licenses.listForOrganization(organizationId)).map((l) => l.entitlementId)).not.toContain(entitlementId);
    expect((await events()).length).toBe(before);
  });
});
