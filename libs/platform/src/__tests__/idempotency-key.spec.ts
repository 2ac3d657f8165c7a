import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { fragmentsOf, idempotencyKeyOf, mutationFingerprint, rootFieldCount } from '../idempotency/idempotency-key';

describe('Idempotency-Key header', () => {
  it('is optional, and a key is 1 to 255 visible ASCII characters', () => {
    expect(idempotencyKeyOf({})).toBeNull();
    expect(idempotencyKeyOf(undefined)).toBeNull();
    expect(idempotencyKeyOf({ 'idempotency-key': 'b5f7d3c2-9c1e-4a8e-8f2a-1d2c3b4a5f6e' })).toBe('b5f7d3c2-9c1e-4a8e-8f2a-1d2c3b4a5f6e');
    expect(idempotencyKeyOf({ 'idempotency-key': 'x'.repeat(255) })).toHaveLength(255);
    for (const bad of ['', 'x'.repeat(256), 'two words', 'tab\there', 'naïve', 'nul\u0000']) {
      expect(() => idempotencyKeyOf({ 'idempotency-key': bad })).toThrow('Idempotency-Key: send one header of 1 to 255 visible ASCII characters, e.g. a UUID');
    }
    expect(() => idempotencyKeyOf({ 'idempotency-key': ['a', 'b'] })).toThrow(/one header/);
  });
});

describe('mutation fingerprint', () => {
  it('is the same for the same operation and input however they are spelled', () => {
    const a = mutationFingerprint('cancelEntitlement', { input: { entitlementId: 'e1', reason: 'OTHER', notes: null } });
    expect(mutationFingerprint('cancelEntitlement', { input: { reason: 'OTHER', entitlementId: 'e1' } })).toBe(a);
    expect(mutationFingerprint('cancelEntitlement', { input: { reason: 'OTHER', entitlementId: 'e1', notes: 'moving' } })).not.toBe(a);
    expect(mutationFingerprint('suspendEntitlement', { input: { entitlementId: 'e1', reason: 'OTHER' } })).not.toBe(a);
    const dated = (at: string) => mutationFingerprint('startOffboarding', { input: { dayZero: new Date(at), items: [2, 1] } });
    expect(dated('2026-01-01T00:00:00Z')).toBe(dated('2026-01-01T00:00:00.000Z'));
    expect(dated('2026-01-01T00:00:00Z')).not.toBe(dated('2026-01-02T00:00:00Z'));
    expect(mutationFingerprint('x', { list: [1, 2] })).not.toBe(mutationFingerprint('x', { list: [2, 1] }));
  });
});

describe('root field count', () => {
  const count = (source: string) => {
    const document = parse(source);
    const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
    return rootFieldCount(operation, fragmentsOf(document));
  };

  it('counts fields by response key through fragments, ignoring __typename', () => {
    expect(count('mutation { a(x: 1) { id } }')).toBe(1);
    expect(count('mutation { a(x: 1) { id } __typename }')).toBe(1);
    expect(count('mutation { a(x: 1) { id } a(x: 1) { name } }')).toBe(1);
    expect(count('mutation { one: a(x: 1) { id } two: a(x: 2) { id } }')).toBe(2);
    expect(count('mutation { a { id } ... on Mutation { b { id } } ...F } fragment F on Mutation { c { id } ...F }')).toBe(3);
  });
});
