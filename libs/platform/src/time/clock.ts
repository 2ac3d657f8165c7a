/** The single source of "now" for domain code, so schedules can be tested and shifted. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
