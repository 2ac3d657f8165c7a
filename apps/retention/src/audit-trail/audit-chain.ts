import { createHash } from 'node:crypto';

/** The `previousHash` of an organization's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedFields {
  organizationId: string;
  sequence: number;
  eventId: string;
  eventType: string;
  source: string;
  occurredAt: string;
  details: Record<string, unknown>;
  previousHash: string;
}

/** JSON with object keys sorted at every level, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Hashes exactly the chained fields, whatever else the object carries (its own hash, times). */
export function entryHash(fields: ChainedFields): string {
  const chained: ChainedFields = {
    organizationId: fields.organizationId,
    sequence: fields.sequence,
    eventId: fields.eventId,
    eventType: fields.eventType,
    source: fields.source,
    occurredAt: fields.occurredAt,
    details: fields.details,
    previousHash: fields.previousHash,
  };
  return createHash('sha256').update(canonicalJson(chained)).digest('hex');
}

/** The first sequence number whose link is broken, or null when the whole chain verifies. */
export function firstBrokenLink(entries: readonly (ChainedFields & { hash: string })[]): number | null {
  let previous = GENESIS_HASH;
  let expectedSequence = 1;
  for (const entry of entries) {
    if (entry.sequence !== expectedSequence || entry.previousHash !== previous || entryHash(entry) !== entry.hash) {
      return entry.sequence;
    }
    previous = entry.hash;
    expectedSequence += 1;
  }
  return null;
}

export interface ChainVerification {
  intact: boolean;
  checkedEntries: number;
  firstBrokenSequence: number | null;
  reason: string | null;
}

/**
 * Verifies a chain fed in sequence order, batch by batch (so a long trail is never held whole):
 * `check` each entry, then `result()`.
 */
export class ChainVerifier {
  private previous = GENESIS_HASH;
  private expectedSequence = 1;
  private checked = 0;
  private broken: { sequence: number; reason: string } | null = null;

  /** False once a broken link was found (later entries need not be read). */
  check(entry: ChainedFields & { hash: string }): boolean {
    if (this.broken) return false;
    this.checked += 1;
    let reason: string | null = null;
    if (entry.sequence !== this.expectedSequence) reason = `expected sequence ${this.expectedSequence}, found ${entry.sequence} (an entry is missing or out of order)`;
    else if (entry.previousHash !== this.previous) reason = 'previousHash does not match the hash of the entry before it';
    else if (entryHash(entry) !== entry.hash) reason = 'the entry was altered: its content no longer matches its hash';
    if (reason !== null) {
      this.broken = { sequence: entry.sequence, reason };
      return false;
    }
    this.previous = entry.hash;
    this.expectedSequence += 1;
    return true;
  }

  result(): ChainVerification {
    return {
      intact: this.broken === null,
      checkedEntries: this.checked,
      firstBrokenSequence: this.broken?.sequence ?? null,
      reason: this.broken?.reason ?? null,
    };
  }
}
