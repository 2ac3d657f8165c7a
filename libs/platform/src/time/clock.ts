/** The single source of "now" for domain code, so schedules can be tested and shifted. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Where an OffsetClock keeps its offset between runs. */
export interface OffsetStore {
  load(): number;
  save(offsetMs: number): void;
}

/**
 * The system clock plus an offset. Every service runs on one outside production, so the whole
 * stack can be moved forward in time (`_devAdvanceClock`) to watch grace periods and timelines
 * play out. Time never moves backwards: offsets only grow. With a store the offset survives a
 * restart, so data dated in the (shifted) future stays consistent with the clock.
 */
export class OffsetClock extends Clock {
  private offset = 0;

  constructor(
    private readonly base: Clock = new SystemClock(),
    private readonly store: OffsetStore | null = null,
  ) {
    super();
    if (store) this.offset = store.load();
  }

  now(): Date {
    return new Date(this.base.now().getTime() + this.offset);
  }

  get offsetMs(): number {
    return this.offset;
  }

  /** Moves to `offsetMs` ahead of the system clock; refuses to go back. */
  setOffset(offsetMs: number): void {
    if (!Number.isSafeInteger(offsetMs) || offsetMs < 0) throw new RangeError('clock offset must be a whole, non-negative number of milliseconds');
    if (offsetMs < this.offset) throw new RangeError(`clock offset may only grow (now ${this.offset} ms)`);
    this.store?.save(offsetMs);
    this.offset = offsetMs;
  }
}

/** Adds whole days (24 h) to an instant. */
export function addDays(instant: Date, days: number): Date {
  return new Date(instant.getTime() + days * DAY_MS);
}

/** The end of a UTC calendar day given as YYYY-MM-DD: 23:59:59.999 that day. */
export function endOfDay(day: string): Date {
  return new Date(new Date(`${day}T00:00:00.000Z`).getTime() + DAY_MS - 1);
}

/** The UTC calendar day of an instant, YYYY-MM-DD. */
export function dayOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}
