import { InvalidObjectKeyError } from './object-storage';

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._=-]*$/;
const MAX_KEY_LENGTH = 1024;

/**
 * Checks an object key: relative, slash-separated segments of letters, digits, `.`, `_`, `=` and
 * `-`, none empty and none starting with a dot (so no `..`, no hidden files). The same rule holds
 * for every driver, so a key that works locally works on S3.
 */
export function assertValidKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidObjectKeyError(String(key), 'must not be empty');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidObjectKeyError(key, `must be at most ${MAX_KEY_LENGTH} characters`);
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment)) {
      throw new InvalidObjectKeyError(
        key,
        'segments must be non-empty, start with a letter or digit and contain only letters, digits, ".", "_", "=" and "-"',
      );
    }
  }
  return key;
}
