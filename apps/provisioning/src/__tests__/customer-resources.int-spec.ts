import { randomUUID } from 'node:crypto';
import { entitlementEvents, openProvisioningKit, type ProvisioningKit } from './provisioning-test-kit';

describe('what customers and admins do with the resources', () => {
  let kit: ProvisioningKit;

  beforeAll(async () => {
    kit = await openProvisioningKit();
  });

  afterAll(async () => {
    await kit?.close();
  });

  it('refuses to consume frozen credits with a clear error, and accepts again once resumed', async () => {
    const organizationId = randomUUID();
    const svc = entitlementEvents(organizationId, 'SVC');
    await kit.deliver(svc.granted());
    const [balance] = await kit.serviceContracts.creditBalances(organizationId);
    await kit.serviceContracts.addCredits(balance.id, 100);
    expect((await kit.serviceContracts.consumeCredits(balance.id, 30)).credits).toBe(70);
    await expect(kit.serviceContracts.consumeCredits(balance.id, 71)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(kit.serviceContracts.consumeCredits(balance.id, 0)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });

    await kit.deliver(svc.suspended());
    await expect(kit.serviceContracts.consumeCredits(balance.id, 1)).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      message: expect.stringMatching(/is FROZEN: credits cannot be consumed/),
    });
    await kit.deliver(svc.resumed());
    expect((await kit.serviceContracts.consumeCredits(balance.id, 10)).credits).toBe(60);

    await kit.deliver(svc.cancelled());
    await expect(kit.serviceContracts.consumeCredits(balance.id, 1)).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    expect((await kit.serviceContracts.creditBalances(organizationId))[0]).toMatchObject({ status: 'FROZEN', credits: 60 });
    // Billing hears of each freeze with the credits left, not only a count.
    const credits = (await kit.outbox(organizationId)).filter((e) => e.type.includes('credit_balance_')).map((e) => [e.type.split('.')[3], e.payload.reason ?? null, e.payload.credits]);
    expect(credits).toEqual([
      ['credit_balance_frozen', 'SUSPENDED', 70],
      ['credit_balance_unfrozen', null, 70],
      ['credit_balance_frozen', 'CANCELLED', 60],
    ]);
  });

  it('completes or cancels each request in the review queue, once', async () => {
    const organizationId = randomUUID();
    const svc = entitlementEvents(organizationId, 'SVC');
    await kit.deliver(svc.granted());
    const [service] = await kit.serviceContracts.services(organizationId);
    const first = await kit.serviceContracts.openServiceRequest(service.id, 'Backup restore');
    const second = await kit.serviceContracts.openServiceRequest(service.id, 'DNS change');
    await kit.deliver(svc.cancelled());

    const queued = async () => {
      const ids: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await kit.serviceContracts.reviewQueue({ first: 1, after });
        ids.push(...page.edges.map((edge) => edge.node.id));
        if (!page.pageInfo.hasNextPage) return ids;
        after = page.pageInfo.endCursor;
      }
    };
    expect(await queued()).toEqual(expect.arrayContaining([first.id, second.id]));
    expect((await kit.serviceContracts.completeServiceRequest(first.id, 'staff-1')).status).toBe('COMPLETED');
    expect((await kit.serviceContracts.cancelServiceRequest(second.id, 'staff-1')).status).toBe('CANCELLED');
    await expect(kit.serviceContracts.completeServiceRequest(second.id, 'staff-1')).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(await queued()).not.toEqual(expect.arrayContaining([first.id]));
    expect((await kit.outbox(organizationId)).filter((e) => e.type.endsWith('service_request_reviewed.v1')).map((e) => e.payload)).toEqual([
      expect.objectContaining({ serviceRequestId: first.id, serviceId: service.id, outcome: 'COMPLETED', reviewedBy: 'staff-1' }),
      expect.objectContaining({ serviceRequestId: second.id, serviceId: service.id, outcome: 'CANCELLED', reviewedBy: 'staff-1' }),
    ]);
    const audits = (await kit.outbox(organizationId)).filter((e) => e.type.endsWith('audit_recorded.v1')).map((e) => e.payload);
    expect(audits).toEqual([
      expect.objectContaining({ action: 'service_request.complete', beforeStatus: 'IN_REVIEW', afterStatus: 'COMPLETED', subjectId: first.id }),
      expect.objectContaining({ action: 'service_request.cancel', beforeStatus: 'IN_REVIEW', afterStatus: 'CANCELLED', subjectId: second.id }),
    ]);
  });

  it('closes invalidated campaigns to the customer, answers gone for disabled links and re-enables them after reactivation', async () => {
    const organizationId = randomUUID();
    const afl = entitlementEvents(organizationId, 'AFL', 'Partner Programme');
    await kit.deliver(afl.granted());
    const campaign = await kit.affiliates.createCampaign({
      entitlementId: afl.entitlementId,
      name: 'Spring launch',
      targetUrl: 'https://acme.example/spring',
      contactName: 'Robin Partner',
      contactEmail: 'robin@partner.example',
    });
    const [link] = await kit.affiliates.trackingLinksOf(campaign.id);
    expect(await kit.affiliates.resolveTrackingLink(link.code)).toEqual({ kind: 'redirect', url: 'https://acme.example/spring' });
    expect(await kit.affiliates.resolveTrackingLink('nope')).toEqual({ kind: 'unknown' });
    expect((await kit.affiliates.updateCampaign({ id: campaign.id, name: 'Spring launch 2026' })).name).toBe('Spring launch 2026');

    await kit.deliver(afl.suspended());
    expect(await kit.affiliates.resolveTrackingLink(link.code)).toEqual({ kind: 'gone' });
    await expect(kit.affiliates.updateCampaign({ id: campaign.id, name: 'x' })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await kit.deliver(afl.resumed());
    expect(await kit.affiliates.resolveTrackingLink(link.code)).toMatchObject({ kind: 'redirect' });

    await kit.deliver(afl.cancelled());
    await expect(kit.affiliates.campaignForCustomer(campaign.id, { actorId: randomUUID(), role: 'COLLABORATOR', organizationId: campaign.organizationId, sessionId: null })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(kit.affiliates.updateCampaign({ id: campaign.id, name: 'edited' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await kit.affiliates.resolveTrackingLink(link.code)).toEqual({ kind: 'gone' });
    await expect(kit.affiliates.enableTrackingLink(link.id, 'staff-1')).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await expect(kit.affiliates.createCampaign({ entitlementId: afl.entitlementId, name: 'Too late', targetUrl: 'https://acme.example/' })).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    });

    await kit.deliver(afl.reactivated());
    await expect(kit.affiliates.campaignForCustomer(campaign.id, { actorId: randomUUID(), role: 'COLLABORATOR', organizationId: campaign.organizationId, sessionId: null })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await kit.affiliates.enableTrackingLink(link.id, 'staff-1')).status).toBe('ACTIVE');
    expect(await kit.affiliates.resolveTrackingLink(link.code)).toMatchObject({ kind: 'redirect' });
    // Every shutdown and every return of a link, and the invalidation, each as its own event.
    const events = (await kit.outbox(organizationId)).filter((e) => /campaign_invalidated|tracking_link_/.test(e.type));
    const linkEvents = events.filter((e) => e.payload.trackingLinkId === link.id).map((e) => [e.type.split('.')[3], e.payload.reason ?? e.payload.enabledBy]);
    expect(linkEvents).toEqual([
      ['tracking_link_disabled', 'SUSPENDED'],
      ['tracking_link_enabled', 'system:entitlement-resumed'],
      ['tracking_link_disabled', 'CANCELLED'],
      ['tracking_link_enabled', 'staff-1'],
    ]);
    expect(events.filter((e) => e.type.endsWith('campaign_invalidated.v1')).map((e) => e.payload)).toContainEqual(
      expect.objectContaining({ campaignId: campaign.id, entitlementId: afl.entitlementId, reason: 'ENTITLEMENT_CANCELLED' }),
    );
    expect((await kit.outbox(organizationId)).map((e) => e.payload)).toContainEqual(expect.objectContaining({ action: 'tracking_link.enable', subjectId: link.id, actor: 'staff-1' }));
    expect((await kit.affiliates.partnerRelationships(organizationId)).map((r) => r.status)).toEqual(['ACTIVE']);
  });

  it('enrols learners on free seats only while the entitlement is active', async () => {
    const organizationId = randomUUID();
    const edu = entitlementEvents(organizationId, 'EDU');
    await kit.deliver(edu.granted());
    for (const learner of ['a', 'b', 'c']) await kit.education.enrollLearner({ entitlementId: edu.entitlementId, learnerRef: learner, course: 'Basics' });
    await expect(kit.education.enrollLearner({ entitlementId: edu.entitlementId, learnerRef: 'd', course: 'Basics' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await kit.deliver(edu.cancelled());
    await expect(kit.education.enrollLearner({ entitlementId: edu.entitlementId, learnerRef: 'e', course: 'Basics' })).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    });
    // Learner records stay until purge.
    expect((await kit.education.enrollments(organizationId)).map((e) => e.status)).toEqual(['CLOSED', 'CLOSED', 'CLOSED']);
  });

  it('marks an open fulfilment delivered, and never reopens a delivered one', async () => {
    const organizationId = randomUUID();
    const ord = entitlementEvents(organizationId, 'ORD');
    await kit.deliver(ord.granted());
    const [fulfilment] = await kit.fulfilments.listForOrganization(organizationId);
    expect((await kit.fulfilments.markFulfilled(fulfilment.id)).status).toBe('FULFILLED');
    await kit.deliver(ord.cancelled());
    await kit.deliver(ord.reactivated());
    expect(await kit.statuses('fulfilments', ord.entitlementId)).toEqual(['FULFILLED']);
  });
});
