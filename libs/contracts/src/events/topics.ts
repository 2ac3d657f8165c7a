import type { ServiceName } from '../domain';

/** Frozen topic names: one per producing service. Renaming one breaks every consumer. */
export const Topics = {
  entitlements: 'offboarding.entitlements.v1',
  provisioning: 'offboarding.provisioning.v1',
  identity: 'offboarding.identity.v1',
  retention: 'offboarding.retention.v1',
} as const satisfies Record<ServiceName, string>;
export type Topic = (typeof Topics)[ServiceName];

/** Where a consuming service parks the messages it could not process. */
export function deadLetterTopic(consumer: ServiceName): string {
  return `offboarding.dlq.${consumer}.v1`;
}

/** CloudEvents `source` attribute of everything a service publishes. */
export function eventSource(service: ServiceName): string {
  return `/offboarding/${service}`;
}

/**
 * Which producers' topics each service consumes. The AsyncAPI document is generated from this,
 * and a service refuses to start if it subscribes to a topic not listed here.
 */
export const eventSubscriptions: Readonly<Record<ServiceName, readonly ServiceName[]>> = {
  entitlements: ['retention'],
  provisioning: ['entitlements', 'retention'],
  identity: ['entitlements', 'retention'],
  retention: ['entitlements', 'provisioning', 'identity'],
};
