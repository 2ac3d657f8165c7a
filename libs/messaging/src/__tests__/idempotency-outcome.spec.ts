import { decodeOutcome, encodeOutcome } from '../idempotency';

describe('recorded outcomes', () => {
  it('read back as they were written, with dates, big integers and bytes', () => {
    const value = {
      id: 'e1',
      at: new Date('2026-11-21T10:00:00.000Z'),
      never: null,
      count: 12n,
      raw: Buffer.from([0, 1, 254]),
      list: [new Date('2026-01-01T00:00:00.000Z'), 'x', 3, true],
      nested: { snapshot: { days: 90 } },
    };
    expect(decodeOutcome(encodeOutcome(value))).toEqual(value);
    expect(decodeOutcome(encodeOutcome([{ a: 1 }, undefined]))).toEqual([{ a: 1 }, null]);
    expect(decodeOutcome(encodeOutcome(true))).toBe(true);
    expect(decodeOutcome(encodeOutcome(undefined))).toBeNull();
  });

  it('keeps data only: functions and a cycle back to an enclosing object are left out, a shared object is kept', () => {
    const shared = { id: 's' };
    const cyclic: Record<string, unknown> = { id: 'c', shared, again: shared, run: () => 1 };
    cyclic.self = cyclic;
    expect(decodeOutcome(encodeOutcome(cyclic))).toEqual({ id: 'c', shared: { id: 's' }, again: { id: 's' } });
  });

  it('reads a class instance as its data', () => {
    class Entity {
      constructor(
        readonly id: string,
        readonly createdAt: Date,
      ) {}
      describe(): string {
        return this.id;
      }
    }
    expect(decodeOutcome(encodeOutcome(new Entity('e', new Date(0))))).toEqual({ id: 'e', createdAt: new Date(0) });
  });
});
