import {
  deadLetterMessage,
  decodeDecidedOffsets,
  type DeadLetterSummary,
  encodeDecidedOffsets,
  matchesDeadLetterFilter,
  summarizeDeadLetter,
  withoutDeadLetterHeaders,
} from '../dead-letters';

class HandlerBroke extends Error {}

describe('dead-letter messages', () => {
  const original = {
    key: Buffer.from('org-1'),
    value: Buffer.from('{"a":1}'),
    headers: { ce_id: Buffer.from('id-1'), dlq_error: Buffer.from('an older failure') },
  };

  it('keep the original key, value and headers and add why and where from', () => {
    const failedAt = new Date('2024-05-01T10:00:00Z');
    const letter = deadLetterMessage(original, {
      error: new HandlerBroke('boom'),
      topic: 'offboarding.entitlements.v1',
      partition: 2,
      offset: '41',
      attempts: 5,
      failedAt,
    });
    expect(letter.key).toBe(original.key);
    expect(letter.value).toBe(original.value);
    expect(letter.headers).toEqual({
      ce_id: original.headers.ce_id,
      dlq_error: 'boom',
      dlq_error_type: 'HandlerBroke',
      dlq_original_topic: 'offboarding.entitlements.v1',
      dlq_original_partition: '2',
      dlq_original_offset: '41',
      dlq_attempts: '5',
      dlq_failed_at: '2024-05-01T10:00:00.000Z',
    });
  });

  it('describe thrown non-errors too', () => {
    const letter = deadLetterMessage(original, { error: 'plain string', topic: 't', partition: 0, offset: '0', attempts: 1 });
    expect(letter.headers).toMatchObject({ dlq_error: 'plain string', dlq_error_type: 'string' });
  });

  it('strip only the dlq_ headers for a replay', () => {
    expect(withoutDeadLetterHeaders(original.headers)).toEqual({ ce_id: original.headers.ce_id });
    expect(withoutDeadLetterHeaders(undefined)).toEqual({});
  });
});

describe('dead-letter replay bookkeeping', () => {
  it('keeps the offsets taken beyond the committed one as ranges, and reads them back', () => {
    const offsets = [12n, 5n, 6n, 7n, 9n, 20n, 21n];
    const encoded = encodeDecidedOffsets(offsets);
    expect(encoded).toBe('dlq-replay/1:5-7,9,12,20-21');
    expect([...decodeDecidedOffsets(encoded)].sort((a, b) => Number(a - b))).toEqual([5n, 6n, 7n, 9n, 12n, 20n, 21n]);
    expect(decodeDecidedOffsets(null).size).toBe(0);
    expect(decodeDecidedOffsets('somebody else’s metadata').size).toBe(0);
  });

  it('reads a letter and filters by event id, type (full or by name) and error text', () => {
    const letter: DeadLetterSummary = summarizeDeadLetter(1, {
      offset: '41',
      key: Buffer.from('org-1'),
      value: Buffer.from('{}'),
      headers: {
        ce_id: Buffer.from('id-1'),
        ce_type: Buffer.from('com.offboarding.entitlements.entitlement_granted.v1'),
        dlq_error: Buffer.from('Licence server unavailable'),
        dlq_error_type: Buffer.from('DownstreamUnavailable'),
        dlq_original_topic: Buffer.from('offboarding.entitlements.v1'),
        dlq_attempts: Buffer.from('5'),
        replay_count: Buffer.from('2'),
      },
    });
    expect(letter).toMatchObject({ partition: 1, offset: '41', eventId: 'id-1', organizationId: 'org-1', attempts: 5, replays: 2 });
    expect(matchesDeadLetterFilter(letter)).toBe(true);
    expect(matchesDeadLetterFilter(letter, { eventIds: ['id-2'] })).toBe(false);
    expect(matchesDeadLetterFilter(letter, { types: ['entitlement_granted'] })).toBe(true);
    expect(matchesDeadLetterFilter(letter, { types: ['com.offboarding.entitlements.entitlement_granted.v1', 'x'] })).toBe(true);
    expect(matchesDeadLetterFilter(letter, { types: ['granted'] })).toBe(false);
    expect(matchesDeadLetterFilter(letter, { error: 'SERVER UNAVAIL' })).toBe(true);
    expect(matchesDeadLetterFilter(letter, { error: 'downstream' })).toBe(true);
    expect(matchesDeadLetterFilter(letter, { error: 'downstream', eventIds: ['id-2'] })).toBe(false);
  });
});
