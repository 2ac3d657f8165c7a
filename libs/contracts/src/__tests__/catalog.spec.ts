import { z } from 'zod';
import { ServiceName } from '../domain';
import { eventCatalog, eventTypesOf, isEventType, parsePayload, redactSecrets, secretFieldsOf, type EventType } from '../events/catalog';
import { deadLetterTopic, eventSource, Topics } from '../events/topics';
import { validPayloads } from './event-samples';

const cancelled = 'com.offboarding.entitlements.entitlement_cancelled.v1';

function zodError(run: () => unknown): z.ZodError {
  try {
    run();
  } catch (error) {
    if (error instanceof z.ZodError) return error;
    throw error;
  }
  throw new Error('expected a ZodError, nothing was thrown');
}

describe('parsePayload', () => {
  it.each(Object.keys(eventCatalog) as EventType[])('accepts a valid %s payload', (type) => {
    expect(parsePayload(type, validPayloads[type])).toEqual(validPayloads[type]);
  });

  it('names a missing field', () => {
    const { cancelledBy: _dropped, ...payload } = validPayloads[cancelled];
    const error = zodError(() => parsePayload(cancelled, payload));
    expect(error.issues).toEqual([expect.objectContaining({ code: 'invalid_type', path: ['cancelledBy'] })]);
    expect(z.prettifyError(error)).toContain('cancelledBy');
  });

  it('names a value outside its enum and lists the allowed ones', () => {
    const error = zodError(() => parsePayload(cancelled, { ...validPayloads[cancelled], reason: 'BORED' }));
    expect(error.issues).toEqual([expect.objectContaining({ code: 'invalid_value', path: ['reason'] })]);
    expect(error.issues[0].message).toContain('CUSTOMER_REQUEST');
  });

  it('rejects unknown properties, naming them', () => {
    const error = zodError(() => parsePayload(cancelled, { ...validPayloads[cancelled], customerEmail: 'a@b.example' }));
    expect(error.issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['customerEmail'] })]);
  });

  it('reports every bad field at once', () => {
    const error = zodError(() =>
      parsePayload(cancelled, { ...validPayloads[cancelled], organizationId: 'org-1', cancelledAt: 'yesterday' }),
    );
    expect(error.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['cancelledAt', 'organizationId']);
  });

  it('rejects something that is not an object', () => {
    expect(() => parsePayload(cancelled, 'entitlement cancelled')).toThrow(z.ZodError);
    expect(() => parsePayload(cancelled, null)).toThrow(z.ZodError);
  });
});

describe('isEventType', () => {
  it('recognises every catalog type', () => {
    for (const type of Object.keys(eventCatalog)) expect(isEventType(type)).toBe(true);
  });

  it.each(['', 'com.offboarding.entitlements.entitlement_cancelled.v2', 'entitlement_cancelled', 'toString', '__proto__', 'constructor'])(
    'rejects %j',
    (type) => {
      expect(isEventType(type)).toBe(false);
    },
  );
});

describe('eventTypesOf', () => {
  it('lists what a service publishes, in catalog order', () => {
    const entitlements = eventTypesOf('entitlements');
    expect(entitlements.slice(0, 3)).toEqual([
      'com.offboarding.entitlements.organization_created.v1',
      'com.offboarding.entitlements.entitlement_granted.v1',
      'com.offboarding.entitlements.entitlement_cancelled.v1',
    ]);
    expect(entitlements.every((type) => type.startsWith('com.offboarding.entitlements.'))).toBe(true);
    const catalogOrder = Object.keys(eventCatalog);
    expect([...entitlements].sort((a, b) => catalogOrder.indexOf(a) - catalogOrder.indexOf(b))).toEqual(entitlements);
    expect(eventTypesOf('identity')).toEqual([
      'com.offboarding.identity.portal_access_enabled.v1',
      'com.offboarding.identity.portal_access_disabled.v1',
      'com.offboarding.identity.sso_shutdown_completed.v1',
      'com.offboarding.identity.sessions_revoked.v1',
      'com.offboarding.identity.accounts_deactivated.v1',
      'com.offboarding.identity.accounts_reactivated.v1',
      'com.offboarding.identity.sso_connection_deleted.v1',
      'com.offboarding.identity.credentials_deleted.v1',
      'com.offboarding.identity.user_created.v1',
      'com.offboarding.identity.user_deactivated.v1',
      'com.offboarding.identity.user_reactivated.v1',
      'com.offboarding.identity.password_setup_issued.v1',
      'com.offboarding.identity.password_set.v1',
      'com.offboarding.identity.audit_recorded.v1',
      'com.offboarding.identity.pii_masked.v1',
      'com.offboarding.identity.organization_purged.v1',
    ]);
  });

  it('assigns every catalog type to exactly one producer', () => {
    const all = Object.values(ServiceName).flatMap((service) => eventTypesOf(service));
    expect(all.sort()).toEqual(Object.keys(eventCatalog).sort());
  });
});

describe('secret fields', () => {
  it('are marked on the password-setup link only, and redacted for keeping', () => {
    const withSecrets = (Object.keys(eventCatalog) as EventType[]).filter((type) => secretFieldsOf(type).length > 0);
    expect(withSecrets).toEqual(['com.offboarding.identity.password_setup_issued.v1']);
    expect(secretFieldsOf('com.offboarding.identity.password_setup_issued.v1')).toEqual(['setupUrl']);
    const sample = validPayloads['com.offboarding.identity.password_setup_issued.v1'];
    const kept = redactSecrets('com.offboarding.identity.password_setup_issued.v1', sample);
    expect(kept).toEqual({ ...sample, setupUrl: '[redacted]' });
    expect(JSON.stringify(kept)).not.toContain('token=');
    expect(sample.setupUrl).toContain('token=');
    expect(redactSecrets(cancelled, validPayloads[cancelled])).toBe(validPayloads[cancelled]);
  });
});

describe('topics', () => {
  it('names a dead-letter topic per consumer', () => {
    expect(deadLetterTopic('retention')).toBe('offboarding.dlq.retention.v1');
    for (const service of Object.values(ServiceName)) {
      expect(deadLetterTopic(service)).toMatch(/^offboarding\.dlq\.[a-z]+\.v1$/);
      expect(deadLetterTopic(service)).not.toBe(Topics[service]);
    }
  });

  it('derives the CloudEvents source from the service', () => {
    expect(eventSource('provisioning')).toBe('/offboarding/provisioning');
  });
});
