import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Clock, devClockStore, OffsetClock, OffsetFile } from '..';

class FixedClock extends Clock {
  now(): Date {
    return new Date('2026-01-10T12:00:00Z');
  }
}

describe('the development clock offset across restarts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offset-file-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is kept under DATA_DIR and taken up again by the next clock', () => {
    const store = devClockStore('retention', { NODE_ENV: 'test', DATA_DIR: dir })!;
    expect(store.file).toBe(path.join(dir, 'retention', 'dev-clock.json'));
    const first = new OffsetClock(new FixedClock(), store);
    expect(first.offsetMs).toBe(0);
    first.setOffset(30 * 86_400_000);
    // A restart: a new clock over the same file starts where the old one was.
    const restarted = new OffsetClock(new FixedClock(), devClockStore('retention', { NODE_ENV: 'test', DATA_DIR: dir }));
    expect(restarted.now().toISOString()).toBe('2026-02-09T12:00:00.000Z');
    expect(() => restarted.setOffset(86_400_000)).toThrow(/may only grow/);
    expect(fs.readdirSync(path.join(dir, 'retention'))).toEqual(['dev-clock.json']);
  });

  it('starts from no offset when the file is missing or damaged, and is not kept without a data directory or in production', () => {
    const damaged = path.join(dir, 'damaged.json');
    fs.writeFileSync(damaged, '{ not json');
    expect(new OffsetFile(damaged).load()).toBe(0);
    fs.writeFileSync(damaged, JSON.stringify({ offsetMs: -5 }));
    expect(new OffsetFile(damaged).load()).toBe(0);
    expect(new OffsetFile(path.join(dir, 'missing.json')).load()).toBe(0);
    expect(devClockStore('identity', { NODE_ENV: 'test' })).toBeNull();
    expect(devClockStore('identity', { NODE_ENV: 'production', DATA_DIR: dir })).toBeNull();
    expect(devClockStore('identity', { NODE_ENV: 'development' })?.file).toBe(path.resolve('.data', 'identity', 'dev-clock.json'));
  });
});
