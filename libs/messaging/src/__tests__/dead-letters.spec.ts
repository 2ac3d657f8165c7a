import { deadLetterMessage, withoutDeadLetterHeaders } from '../dead-letters';

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
