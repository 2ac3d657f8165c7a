import { InvalidInputError } from '@offboarding/platform';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a row, so lookups answer "not found" without a query. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Trims a required text input and checks its length. */
export function requiredText(field: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > max) throw new InvalidInputError(field, `must be 1 to ${max} characters`);
  return trimmed;
}

/** Trims optional text; empty becomes null. */
export function optionalText(field: string, value: string | null | undefined, max: number): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length === 0) return null;
  if (trimmed.length > max) throw new InvalidInputError(field, `must be at most ${max} characters`);
  return trimmed;
}

export function optionalEmail(field: string, value: string | null | undefined): string | null {
  const email = optionalText(field, value, 320);
  if (email !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new InvalidInputError(field, 'must be an e-mail address');
  return email;
}

/** An absolute http(s) URL. */
export function httpUrl(field: string, value: string): string {
  const trimmed = requiredText(field, value, 2048);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new InvalidInputError(field, 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidInputError(field, 'must be an http or https URL');
  return url.toString();
}

/** Dotted numeric versions (1.2.3), compared numerically part by part. */
export function parseVersion(field: string, value: string): string {
  const trimmed = value.trim();
  if (!/^\d{1,6}(\.\d{1,6}){0,3}$/.test(trimmed)) throw new InvalidInputError(field, 'must be a version like 1.4.2');
  return trimmed;
}

export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

export function positiveAmount(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidInputError(field, 'must be a positive whole number');
  return value;
}
