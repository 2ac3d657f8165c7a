import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import { quoteIdentifier } from './sql';

// Idempotency keys: a mutation sent again with the key of an earlier one gets the earlier
// outcome instead of a second execution. The request scope says which key a mutation carries;
// the unit of work claims the key and records each outcome in the transaction of the change it
// describes, so "changed" and "remembered" commit together or not at all.

/** A mutation that arrived with an idempotency key. */
export interface IdempotentRequest {
  /** Whose key it is: keys of different callers never meet. */
  readonly caller: string;
  readonly key: string;
  /** The mutation being run (e.g. createOrganization), for logs and the reuse error. */
  readonly operation: string;
  /** Hash of the operation and its arguments: a retry must send the same input. */
  readonly fingerprint: string;
}

/** What one unit of work of a keyed mutation left behind: its result, or the refusal it ended with. */
export type RecordedOutcome = { result: unknown } | { error: RecordedError };

export interface RecordedError {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/**
 * The service's rules for keyed mutations, supplied by the platform: which errors are answers
 * worth remembering (refusals of the domain) as opposed to failures a retry may overcome, and the
 * errors to answer with.
 */
export interface IdempotencyPolicy {
  /** How long a key is remembered. */
  readonly ttlMs: number;
  /** The refusal to record for an error thrown by the work, or null when it is not one (the retry runs again). */
  recordable(error: unknown): RecordedError | null;
  /** The error a recorded refusal is answered with again. */
  revive(error: RecordedError): Error;
  /** The key was used before for another operation or other input. */
  reused(request: IdempotentRequest, earlierOperation: string): Error;
  /** Told about every answer that came from the record instead of an execution. */
  replayed?(request: IdempotentRequest, step: number): void;
}

interface Scope {
  readonly request: IdempotentRequest;
  /** Units of work this mutation has run so far: the next one's position in the record. */
  step: number;
  /** Only while the mutation runs: background work it kicked off is not part of it. */
  open: boolean;
  /** Whether some unit of work answered from the record instead of executing. */
  replayed: boolean;
}

const scopes = new AsyncLocalStorage<Scope>();

/**
 * Runs a mutation under an idempotency key: every unit of work it runs claims the key and records
 * its outcome, or, when the key already holds that outcome, answers it without running again.
 */
export async function runIdempotent<T>(request: IdempotentRequest, mutation: () => Promise<T>, onReplayed?: () => void): Promise<T> {
  const scope: Scope = { request, step: 0, open: true, replayed: false };
  return scopes.run(scope, async () => {
    try {
      return await mutation();
    } finally {
      scope.open = false;
      // Told once, whether the answer or the refusal came from the record (Idempotent-Replayed).
      if (scope.replayed) onReplayed?.();
    }
  });
}

/** Notes that the keyed mutation the calling code runs in answered a unit of work from the record. */
export function markIdempotentReplay(): void {
  const scope = scopes.getStore();
  if (scope?.open) scope.replayed = true;
}

/** The keyed mutation the calling code runs in, and the position of its next unit of work. */
export function nextIdempotentStep(): { request: IdempotentRequest; step: number } | null {
  const scope = scopes.getStore();
  if (!scope?.open) return null;
  const step = scope.step;
  scope.step += 1;
  return { request: scope.request, step };
}

interface KeyRow {
  operation: string;
  fingerprint: string;
  outcomes: string;
}

/** The idempotency_keys table of a service's schema. */
export class IdempotencyKeys {
  constructor(private readonly now: () => Date = () => new Date()) {}

  /**
   * Takes the key for this transaction (inserting it, or taking over an expired one) and locks
   * it, so a concurrent request with the same key waits here until this transaction ends and then
   * finds its outcome. Answers what the key holds.
   */
  async claim(manager: EntityManager, request: IdempotentRequest, ttlMs: number): Promise<{ operation: string; fingerprint: string; outcomes: RecordedOutcome[] }> {
    const table = idempotencyTable(manager.connection);
    const now = this.now();
    const [claimed] = await manager.query<KeyRow[]>(
      `INSERT INTO ${table} AS k (caller, key, operation, fingerprint, outcomes, created_at, expires_at)
       VALUES ($1, $2, $3, $4, '[]', $5, $6)
       ON CONFLICT (caller, key) DO UPDATE
         SET operation = EXCLUDED.operation, fingerprint = EXCLUDED.fingerprint, outcomes = '[]',
             created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
         WHERE k.expires_at <= EXCLUDED.created_at
       RETURNING operation, fingerprint, outcomes`,
      [request.caller, request.key, request.operation, request.fingerprint, now, new Date(now.getTime() + ttlMs)],
    );
    const row =
      claimed ??
      (
        await manager.query<KeyRow[]>(`SELECT operation, fingerprint, outcomes FROM ${table} WHERE caller = $1 AND key = $2 FOR UPDATE`, [
          request.caller,
          request.key,
        ])
      )[0];
    if (!row) throw new Error(`idempotency key ${request.key} vanished while it was claimed`);
    return { operation: row.operation, fingerprint: row.fingerprint, outcomes: decodeOutcome(row.outcomes) as RecordedOutcome[] };
  }

  /** Stores the outcomes of the key's units of work so far (the key is locked by claim()). */
  async record(manager: EntityManager, request: IdempotentRequest, outcomes: readonly RecordedOutcome[]): Promise<void> {
    await manager.query(`UPDATE ${idempotencyTable(manager.connection)} SET outcomes = $3 WHERE caller = $1 AND key = $2`, [
      request.caller,
      request.key,
      encodeOutcome(outcomes),
    ]);
  }

  /** Forgets keys whose time was up at `now`, at most `batchSize` per statement; answers how many. */
  async prune(dataSource: DataSource, now: Date, batchSize = 1_000): Promise<number> {
    const table = idempotencyTable(dataSource);
    let pruned = 0;
    for (;;) {
      // TypeORM answers a DELETE with [rows, affected count].
      const [, deleted] = await dataSource.query<[unknown, number]>(
        `DELETE FROM ${table} WHERE (caller, key) IN (SELECT caller, key FROM ${table} WHERE expires_at <= $1 LIMIT $2)`,
        [now, batchSize],
      );
      pruned += deleted;
      if (deleted < batchSize) return pruned;
    }
  }
}

function idempotencyTable(dataSource: DataSource): string {
  const schema = (dataSource.options as { schema?: string }).schema;
  return schema ? `${quoteIdentifier(schema)}.idempotency_keys` : 'idempotency_keys';
}

/**
 * Results are stored as JSON with the types JSON lacks tagged (dates, big integers, bytes), so a
 * replayed result reads like the original. Anything else that is not data (functions, a cycle back
 * to an enclosing object) is left out.
 */
export function encodeOutcome(value: unknown): string {
  return JSON.stringify(encode(value, new Set())) ?? 'null';
}

export function decodeOutcome(text: string): unknown {
  return decode(JSON.parse(text) as unknown);
}

const TAG = '$idempotencyType';

function encode(value: unknown, enclosing: Set<object>): unknown {
  if (value === null || value === undefined) return value === null ? null : undefined;
  if (typeof value === 'bigint') return { [TAG]: 'bigint', value: value.toString() };
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object') return value;
  if (value instanceof Date) return { [TAG]: 'date', value: Number.isNaN(value.getTime()) ? null : value.toISOString() };
  if (Buffer.isBuffer(value)) return { [TAG]: 'bytes', value: value.toString('base64') };
  if (enclosing.has(value)) return undefined;
  enclosing.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => encode(item, enclosing) ?? null);
    const source: Record<string, unknown> = value instanceof Map ? Object.fromEntries(value as Map<string, unknown>) : (value as Record<string, unknown>);
    const encoded: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(source)) {
      const inner = encode(item, enclosing);
      if (inner !== undefined) encoded[key] = inner;
    }
    return encoded;
  } finally {
    enclosing.delete(value);
  }
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const tag = record[TAG];
  if (tag === 'date') return typeof record.value === 'string' ? new Date(record.value) : new Date(Number.NaN);
  if (tag === 'bigint') return BigInt(record.value as string);
  if (tag === 'bytes') return Buffer.from(record.value as string, 'base64');
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, decode(item)]));
}
