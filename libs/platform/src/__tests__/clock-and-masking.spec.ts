import { createHash, randomBytes } from 'node:crypto';
import { addDays, Clock, dayOf, endOfDay, maskPii, MASKED_PREFIX, OffsetClock } from '..';

class FixedClock extends Clock {
  constructor(private readonly instant: Date) {
    super();
  }
  now(): Date {
    return this.instant;
  }
}

describe('OffsetClock', () => {
  const base = new FixedClock(new Date('2026-01-10T12:00:00Z'));

  it('adds its offset to the base clock and only moves forward', () => {
    const clock = new OffsetClock(base);
    expect(clock.now().toISOString()).toBe('2026-01-10T12:00:00.000Z');
    clock.setOffset(31 * 86_400_000);
    expect(clock.now().toISOString()).toBe('2026-02-10T12:00:00.000Z');
    expect(() => clock.setOffset(86_400_000)).toThrow(/may only grow/);
    expect(() => clock.setOffset(-1)).toThrow(/non-negative/);
    expect(() => clock.setOffset(1.5)).toThrow(/whole/);
    expect(clock.offsetMs).toBe(31 * 86_400_000);
  });

  it('does calendar arithmetic in UTC', () => {
    expect(addDays(new Date('2026-01-31T00:00:00Z'), 30).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(endOfDay('2026-02-28').toISOString()).toBe('2026-02-28T23:59:59.999Z');
    expect(dayOf(new Date('2026-02-28T23:59:59.999Z'))).toBe('2026-02-28');
  });
});

describe('maskPii', () => {
  const key = randomBytes(32);

  it('is consistent within a key and normalizes e-mail addresses', () => {
    const masked = maskPii(key, 'Ada.Lovelace@Example.com ');
    expect(masked).toBe(maskPii(key, 'ada.lovelace@example.com'));
    expect(masked.startsWith(MASKED_PREFIX)).toBe(true);
    expect(masked).not.toContain('lovelace');
    expect(maskPii(key, masked)).toBe(masked);
  });

  it('differs between organizations and cannot be matched by hashing candidates without the key', () => {
    const email = 'ada@example.com';
    const masked = maskPii(key, email);
    expect(maskPii(randomBytes(32), email)).not.toBe(masked);
    const candidates = [email, 'bob@example.com', 'ADA@EXAMPLE.COM'];
    const digests = candidates.flatMap((candidate) => [
      MASKED_PREFIX + createHash('sha256').update(candidate).digest('hex'),
      MASKED_PREFIX + createHash('sha256').update(candidate.toLowerCase()).digest('hex'),
    ]);
    expect(digests).not.toContain(masked);
  });

  it('refuses a short key', () => {
    expect(() => maskPii(randomBytes(16), 'x')).toThrow(/256 bits/);
  });
});
