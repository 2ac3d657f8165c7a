import { InvalidObjectKeyError } from '../object-storage';
import { assertValidKey } from '../storage-keys';

describe('object keys', () => {
  it.each(['a', 'exports/org-1/env_2/export.jsonl', 'x=1/y-2.tar.gz'])('accepts %j', (key) => {
    expect(assertValidKey(key)).toBe(key);
  });

  it.each(['', '/etc/passwd', '../secret', 'a/../../b', 'a//b', 'a/', '.tmp/x', 'a/.hidden', 'a\\b', 'a b', 'ä'])('refuses %j', (key) => {
    expect(() => assertValidKey(key)).toThrow(InvalidObjectKeyError);
  });

  it('refuses keys longer than 1024 characters', () => {
    expect(() => assertValidKey('a'.repeat(1025))).toThrow(/at most 1024/);
  });
});
