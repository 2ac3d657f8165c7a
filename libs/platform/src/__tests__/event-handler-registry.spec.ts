import { EventHandlerRegistry } from '../nest/event-handler-registry';

describe('event handler registry', () => {
  const handler = () => Promise.resolve();

  it('subscribes to the topics of the producers whose events are handled', () => {
    const registry = new EventHandlerRegistry();
    registry.on('com.offboarding.entitlements.entitlement_granted.v1', handler);
    registry.on('com.offboarding.provisioning.license_cancelled.v1', handler);
    expect(registry.topics('retention')).toEqual(['offboarding.entitlements.v1', 'offboarding.provisioning.v1']);
  });

  it('refuses a subscription the contracts do not declare, and a second handler for one type', () => {
    const registry = new EventHandlerRegistry();
    registry.on('com.offboarding.provisioning.license_issued.v1', handler);
    expect(() => registry.topics('identity')).toThrow(/identity handles events of provisioning but eventSubscriptions/);
    expect(() => registry.on('com.offboarding.provisioning.license_issued.v1', handler)).toThrow(/already registered/);
  });
});
