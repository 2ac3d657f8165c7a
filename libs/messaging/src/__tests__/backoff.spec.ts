import { Alarm, backoffDelay, backoffSchedule } from '../backoff';

describe('backoff', () => {
  const policy = { initialDelayMs: 200, maxDelayMs: 5_000 };

  it('doubles from the initial delay', () => {
    expect(backoffSchedule(5, policy)).toEqual([200, 400, 800, 1_600]);
  });

  it('is capped at the maximum delay', () => {
    expect(backoffSchedule(8, policy)).toEqual([200, 400, 800, 1_600, 3_200, 5_000, 5_000]);
    expect(backoffDelay(10_000, policy)).toBe(5_000);
  });

  it('has no delay when a single attempt is allowed', () => {
    expect(backoffSchedule(1, policy)).toEqual([]);
  });

  it('rejects a retry number below 1', () => {
    expect(() => backoffDelay(0, policy)).toThrow(RangeError);
  });
});

describe('Alarm', () => {
  it('ends every sleep in progress when woken', async () => {
    const alarm = new Alarm();
    const sleeps = [alarm.sleep(3_600_000), alarm.sleep(3_600_000)];
    alarm.wake();
    await expect(Promise.all(sleeps)).resolves.toEqual([undefined, undefined]);
  });
});
