import { requireRealPostgres } from '@offboarding/testing';
import { createOrganization, type Harness, openHarness, startOffboarding } from './harness';

// What PGlite (one connection) cannot show: jobs racing on a real server's row locks.
describe('retention jobs racing on PostgreSQL', () => {
  let h: Harness;
  beforeAll(async () => {
    requireRealPostgres();
    h = await openHarness({ now: '2025-01-01T09:00:00.000Z' });
  });
  afterAll(() => h?.close());

  const published = async (organizationId: string, type: string) => (await h.published(organizationId)).filter((event) => event.type === type).length;

  it('publishes each milestone request and each purge request exactly once however many ticks race', async () => {
    const organizations = [];
    for (let i = 0; i < 5; i += 1) {
      const id = await createOrganization(h, 'VENDOR');
      await startOffboarding(h, id, 'VENDOR');
      organizations.push(id);
    }
    h.clock.advanceDays(30);
    await Promise.all(Array.from({ length: 4 }, () => h.timeline.tick(h.clock.now())));
    for (const id of organizations) {
      expect(await published(id, 'com.offboarding.retention.sso_shutdown_requested.v1')).toBe(1);
      expect(await published(id, 'com.offboarding.retention.pii_masking_requested.v1')).toBe(1);
    }

    h.clock.advanceDays(340);
    await Promise.all(Array.from({ length: 4 }, () => h.timeline.tick(h.clock.now())));
    for (const id of organizations) await h.admin.approvePurge(id, 'admin-1');
    const sent = await Promise.all(Array.from({ length: 4 }, () => h.purge.requestDuePurges(h.clock.now())));
    expect(sent.reduce((sum, n) => sum + n, 0)).toBe(5);
    for (const id of organizations) expect(await published(id, 'com.offboarding.retention.organization_purge_requested.v1')).toBe(1);
  });
});
