import { createHmac } from 'node:crypto';

/** Prefix of every masked value, so a masked field is recognizable and never re-masked. */
export const MASKED_PREFIX = 'masked:';

/**
 * Replaces a piece of personal data with a keyed one-way hash (HMAC-SHA-256) under the
 * organization's masking key: the same input masks to the same value in every service, and
 * once the key is destroyed nobody can re-derive or dictionary-match the original.
 * E-mail addresses are normalized (trimmed, lower-cased) first so they stay joinable.
 */
export function maskPii(key: Buffer, value: string): string {
  if (value.startsWith(MASKED_PREFIX)) return value;
  if (key.length < 32) throw new RangeError('masking key must be at least 256 bits');
  const normalized = value.includes('@') ? value.trim().toLowerCase() : value.trim();
  return MASKED_PREFIX + createHmac('sha256', key).update(normalized, 'utf8').digest('hex');
}

export function maskNullable(key: Buffer, value: string | null): string | null {
  return value === null ? null : maskPii(key, value);
}

/**
 * Where a service gets an organization's masking key from the reference carried by
 * `pii_masking_requested`. The retention service owns the keys and destroys them after every
 * service has confirmed.
 */
export abstract class MaskingKeys {
  abstract resolve(maskingKeyRef: string): Promise<Buffer>;
}
