import { z } from 'zod';
import {
  CancellationReason,
  EntitlementClass,
  OrganizationType,
  type ServiceName,
} from '../domain';

// The single source of every event contract. TypeScript payload types, the JSON Schemas in
// docs/events/ and the AsyncAPI document are all derived from this map; topic and type names
// are frozen once published.

const id = z.uuid();
const instant = z.iso.datetime({ offset: true });
const organizationType = z.enum(Object.values(OrganizationType) as [OrganizationType, ...OrganizationType[]]);
const entitlementClass = z.enum(Object.values(EntitlementClass) as [EntitlementClass, ...EntitlementClass[]]);
const cancellationReason = z.enum(
  Object.values(CancellationReason) as [CancellationReason, ...CancellationReason[]],
);

interface EventDefinition<S extends z.ZodObject = z.ZodObject> {
  producer: ServiceName;
  summary: string;
  payload: S;
}

function event<S extends z.ZodObject>(producer: ServiceName, summary: string, payload: S): EventDefinition<S> {
  return { producer, summary, payload };
}

export const eventCatalog = {
  'com.offboarding.entitlements.organization_created.v1': event(
    'entitlements',
    'An organization (customer, vendor or partner) was created.',
    z.strictObject({
      organizationId: id,
      type: organizationType,
      vendorId: id.nullable().describe('The owning vendor when the organization is a partner.'),
      createdAt: instant,
    }),
  ),
  'com.offboarding.entitlements.entitlement_granted.v1': event(
    'entitlements',
    'An entitlement was granted; downstream services provision what it feeds.',
    z.strictObject({
      organizationId: id,
      entitlementId: id,
      class: entitlementClass,
      product: z.string().min(1).max(200),
      grantedAt: instant,
    }),
  ),
  'com.offboarding.entitlements.entitlement_cancelled.v1': event(
    'entitlements',
    'An entitlement was cancelled with a recorded reason; downstream resources are cleaned up.',
    z.strictObject({
      organizationId: id,
      entitlementId: id,
      class: entitlementClass,
      reason: cancellationReason,
      cancelledAt: instant,
      cancelledBy: z.string().min(1).describe('Actor id (a user id or "system:<job>"), never a name or e-mail.'),
    }),
  ),
  'com.offboarding.provisioning.license_issued.v1': event(
    'provisioning',
    'A plugin licence was issued for a PLG entitlement.',
    z.strictObject({ organizationId: id, entitlementId: id, licenseId: id, issuedAt: instant }),
  ),
  'com.offboarding.provisioning.license_cancelled.v1': event(
    'provisioning',
    'A plugin licence was cancelled: downloads refused, installed sites keep their version.',
    z.strictObject({ organizationId: id, entitlementId: id, licenseId: id, cancelledAt: instant }),
  ),
  'com.offboarding.identity.portal_access_enabled.v1': event(
    'identity',
    "The organization's collaborators may use the customer portal.",
    z.strictObject({ organizationId: id, enabledAt: instant }),
  ),
} as const satisfies Record<string, EventDefinition>;

export type EventType = keyof typeof eventCatalog;
export type EventPayload<T extends EventType> = z.infer<(typeof eventCatalog)[T]['payload']>;

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(eventCatalog, type);
}

/** Event types a given service publishes, in catalog order. */
export function eventTypesOf(producer: ServiceName): EventType[] {
  return (Object.keys(eventCatalog) as EventType[]).filter((type) => eventCatalog[type].producer === producer);
}

/** Validates a payload against its contract; throws a ZodError naming every bad field. */
export function parsePayload<T extends EventType>(type: T, data: unknown): EventPayload<T> {
  return eventCatalog[type].payload.parse(data) as EventPayload<T>;
}
