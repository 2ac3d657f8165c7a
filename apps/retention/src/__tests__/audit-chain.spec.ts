import { canonicalJson, entryHash, firstBrokenLink, GENESIS_HASH, type ChainedFields } from '../audit-trail/audit-chain';

function chain(length: number): (ChainedFields & { hash: string })[] {
  const entries: (ChainedFields & { hash: string })[] = [];
  let previousHash = GENESIS_HASH;
  for (let sequence = 1; sequence <= length; sequence += 1) {
    const fields: ChainedFields = {
      organizationId: '6f1c2a5e-0000-4000-8000-000000000001',
      sequence,
      eventId: `6f1c2a5e-0000-4000-8000-00000000010${sequence}`,
      eventType: 'com.offboarding.entitlements.entitlement_cancelled.v1',
      source: '/offboarding/entitlements',
      occurredAt: new Date(Date.UTC(2026, 10, sequence)).toISOString(),
      details: { reason: 'OTHER', nested: { b: 2, a: 1 } },
      previousHash,
    };
    const hash = entryHash(fields);
    entries.push({ ...fields, hash });
    previousHash = hash;
  }
  return entries;
}

describe('hash-chained audit trail', () => {
  it('hashes canonically: key order does not matter, content does', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":1,"z":0}]},"b":1}');
    const [entry] = chain(1);
    const reordered = { ...entry, details: { nested: { a: 1, b: 2 }, reason: 'OTHER' } };
    expect(entryHash(reordered)).toBe(entry.hash);
    expect(entryHash({ ...entry, details: { reason: 'NON_PAYMENT' } })).not.toBe(entry.hash);
  });

  it('ignores everything that is not a chained field', () => {
    const [entry] = chain(1);
    expect(entryHash({ ...entry, recordedAt: new Date() } as ChainedFields)).toBe(entry.hash);
  });

  it('verifies an intact chain and finds the first tampered, removed or reordered link', () => {
    const entries = chain(5);
    expect(firstBrokenLink(entries)).toBeNull();
    expect(firstBrokenLink([])).toBeNull();
    expect(firstBrokenLink(entries.map((e) => (e.sequence === 3 ? { ...e, details: { reason: 'CUSTOMER_REQUEST' } } : e)))).toBe(3);
    expect(firstBrokenLink(entries.filter((e) => e.sequence !== 2))).toBe(3);
    expect(firstBrokenLink([entries[1], entries[0], ...entries.slice(2)])).toBe(2);
  });
});
