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
      // Masking waits for the end of access.
      expect(await published(id, 'com.offboarding.retention.pii_masking_requested.v1')).toBe(0);
    }
    // Identity's confirmations arrive while ticks race: each masking request still goes out once.
    const confirm = async (organizationId: string) => {
      const [request] = (await h.published(organizationId)).filter((event) => event.type === 'com.offboarding.retention.sso_shutdown_requested.v1');
      const data = { organizationId, requestId: (request.payload as { requestId: string }).requestId, deactivatedUsers: 1, deletedConnections: 0, revokedSessions: 0, completedAt: h.clock.now().toISOString() };
      // As the consumer does: a transaction PostgreSQL aborted (a deadlock) is tried again.
      for (let attempt = 1; ; attempt += 1) {
        try {
          await h.deliver('com.offboarding.identity.sso_shutdown_completed.v1', data);
          return;
        } catch (error) {
          if (attempt >= 5 || (error as { code?: string }).code !== '40P01') throw error;
        }
      }
    };
    await Promise.all([...organizations.map(confirm), ...Array.from({ length: 4 }, () => h.timeline.tick(h.clock.now()))]);
    await h.timeline.tick(h.clock.now());
    for (const id of organizations) expect(await published(id, 'com.offboarding.retention.pii_masking_requested.v1')).toBe(1);

    h.clock.advanceDays(340);
    await Promise.all(Array.from({ length: 4 }, () => h.timeline.tick(h.clock.now())));
    for (const id of organizations) await h.admin.approvePurge(id, 'admin-1');
    const sent = await Promise.all(Array.from({ length: 4 }, () => h.purge.requestDuePurges(h.clock.now())));
    expect(sent.reduce((sum, n) => sum + n, 0)).toBe(5);
    for (const id of organizations) expect(await published(id, 'com.offboarding.retention.organization_purge_requested.v1')).toBe(1);
  });
});
