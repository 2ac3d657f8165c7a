import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { entitlementEvents, openProvisioningKit, type ProvisioningKit } from './provisioning-test-kit';

describe('environment export before teardown', () => {
  let kit: ProvisioningKit;

  beforeAll(async () => {
    kit = await openProvisioningKit(new Date('2026-01-01T09:00:00Z'));
  });

  afterAll(async () => {
    await kit?.close();
  });

  /** A cancelled ENV entitlement whose environment is due for teardown 10 days after cancellation. */
  async function deprovisionedEnvironment() {
    const organizationId = randomUUID();
    const events = entitlementEvents(organizationId, 'ENV');
    await kit.deliver(events.granted());
    await kit.deliver(events.cancelled(kit.clock.now().toISOString(), 10));
    const [environment] = await kit.environments.listForOrganization(organizationId);
    expect(environment.status).toBe('DEPROVISIONED');
    return { organizationId, events, environment };
  }

  const runJob = () => kit.teardownJob.run({ now: kit.clock.now(), logger: kit.logger });

  it('blocks the teardown without an export, then tears down once the data is exported', async () => {
    const { organizationId, environment } = await deprovisionedEnvironment();
    await kit.environments.updateContact(environment.id, 'Dana Ops', 'dana@acme.example');

    await expect(kit.environments.tearDown(environment.id, 'staff-1')).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      details: expect.objectContaining({ blockedBy: 'EXPORT_REQUIRED' }),
    });

    kit.clock.advanceDays(11);
    const blockedRun = await runJob();
    expect(blockedRun.blocked).toBeGreaterThanOrEqual(1);
    const blocked = await kit.environments.require(kit.dataSource.manager, environment.id);
    expect(blocked).toMatchObject({ status: 'DEPROVISIONED', teardownBlockedAt: kit.clock.now() });

    const artifact = await kit.environments.exportData(environment.id, 'staff-1');
    const file = await readFile(path.join(kit.storageRoot, ...artifact.storageKey.split('/')));
    expect(artifact.sizeBytes).toBe(file.length);
    expect(artifact.sha256).toBe(createHash('sha256').update(file).digest('hex'));
    expect(file.toString('utf8')).toContain('"contactEmail":"dana@acme.example"');
    expect(await kit.environments.teardownCleared(await kit.environments.require(kit.dataSource.manager, environment.id))).toBe(true);

    const run = await runJob();
    expect(run.processed).toBeGreaterThanOrEqual(1);
    const tornDown = await kit.environments.require(kit.dataSource.manager, environment.id);
    expect(tornDown).toMatchObject({ status: 'TORN_DOWN', tornDownAt: kit.clock.now(), teardownBlockedAt: null });

    const published = await kit.outbox(organizationId);
    expect(published.find((e) => e.type.endsWith('environment_export_created.v1'))?.payload).toMatchObject({
      environmentId: environment.id,
      exportId: artifact.id,
      sizeBytes: artifact.sizeBytes,
      sha256: artifact.sha256,
    });
    expect(published.find((e) => e.type.endsWith('environment_torn_down.v1'))?.payload).toMatchObject({
      environmentId: environment.id,
      exportId: artifact.id,
      exportWaived: false,
      tornDownBy: 'system:environment-teardown',
    });
    // Events never carry the contact.
    expect(JSON.stringify(published)).not.toContain('dana');
  });

  it('lets an admin tear down after waiving the export, keeping the reason out of the events', async () => {
    const { organizationId, environment } = await deprovisionedEnvironment();
    await expect(kit.environments.waiveExport(environment.id, '   ', 'staff-1')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await kit.environments.waiveExport(environment.id, 'Customer confirmed in writing that nothing needs keeping', 'staff-1');

    const tornDown = await kit.environments.tearDown(environment.id, 'staff-1');
    expect(tornDown.status).toBe('TORN_DOWN');
    await expect(kit.environments.tearDown(environment.id, 'staff-1')).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await expect(kit.environments.exportData(environment.id, 'staff-1')).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });

    const published = await kit.outbox(organizationId);
    expect(published.find((e) => e.type.endsWith('environment_torn_down.v1'))?.payload).toMatchObject({ exportId: null, exportWaived: true, tornDownBy: 'staff-1' });
    expect(JSON.stringify(published)).not.toContain('in writing');
  });

  it('does not tear down before the due date, nor an active environment', async () => {
    const { environment } = await deprovisionedEnvironment();
    await kit.environments.waiveExport(environment.id, 'not needed', 'staff-1');
    await runJob();
    expect((await kit.environments.require(kit.dataSource.manager, environment.id)).status).toBe('DEPROVISIONED');

    const active = entitlementEvents(randomUUID(), 'ENV');
    await kit.deliver(active.granted());
    const [running] = await kit.environments.listForOrganization((await kit.knownEntitlements.findById(active.entitlementId))!.organizationId);
    await expect(kit.environments.tearDown(running.id, 'staff-1')).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it('brings a deprovisioned environment back on reactivation, where old exports no longer count', async () => {
    const { events, environment } = await deprovisionedEnvironment();
    await kit.environments.exportData(environment.id, 'staff-1');
    kit.clock.advanceDays(1);
    await kit.deliver(events.reactivated());
    const back = await kit.environments.require(kit.dataSource.manager, environment.id);
    expect(back).toMatchObject({ status: 'ACTIVE', teardownDueAt: null, deprovisionedAt: null });
    expect(await kit.environments.teardownCleared(back)).toBe(false);
  });

  it('provisions a new environment when a torn-down one is reactivated', async () => {
    const { organizationId, events, environment } = await deprovisionedEnvironment();
    await kit.environments.waiveExport(environment.id, 'not needed', 'staff-1');
    await kit.environments.tearDown(environment.id, 'staff-1');
    await kit.deliver(events.reactivated());
    const environments = await kit.environments.listForOrganization(organizationId);
    expect(environments.map((e) => [e.id === environment.id, e.status]).sort()).toEqual([
      [false, 'ACTIVE'],
      [true, 'TORN_DOWN'],
    ]);
    const reprovisioned = (await kit.outbox(organizationId)).find((e) => e.type.endsWith('resources_reprovisioned.v1'));
    expect(reprovisioned?.payload).toMatchObject({ reprovisioned: { environments: 1 } });
  });
});
