import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { isEventType, redactSecrets } from '@offboarding/contracts';
import type { EventEnvelope } from '@offboarding/messaging';
import {
  Clock,
  type ConnectionShape,
  decodeSequenceCursor,
  encodeSequenceCursor,
  type PageRequest,
  toConnection,
} from '@offboarding/platform';
import { ChainVerifier, entryHash, GENESIS_HASH, type ChainVerification } from './audit-chain';
import { AuditEntryEntity } from './audit-entry.entity';

/** Entries per insert statement: ten parameters each, well under PostgreSQL's 65,535. */
const ENTRIES_PER_INSERT = 1_000;

/** The hashed fields of the entry that records `event` after the chain head `head`. */
function entryFields(event: EventEnvelope, head: { sequence: number; hash: string }) {
  return {
    organizationId: event.subject,
    sequence: head.sequence + 1,
    eventId: event.id,
    eventType: event.type,
    source: event.source,
    occurredAt: new Date(event.time).toISOString(),
    details: (isEventType(event.type) ? redactSecrets(event.type, event.data as never) : event.data) as Record<string, unknown>,
    previousHash: head.hash,
  };
}

@Injectable()
export class AuditTrailService {
  /** Events queued per transaction by `defer`, in order, not yet on the trail. */
  private readonly deferred = new WeakMap<QueryRunner, EventEnvelope[]>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Appends an event to its organization's chain. Event payloads carry ids, statuses, reasons
   * and times by contract, never personal data, so they are kept and survive purge; a field that
   * carries a secret (a password-setup link) is kept redacted.
   */
  async record(manager: EntityManager, event: EventEnvelope): Promise<void> {
    // Whatever the transaction queued goes first, so the trail keeps the order things happened in.
    await this.flushDeferred(manager);
    const schema = (manager.connection.options as { schema?: string }).schema ?? 'public';
    // The chain head row serializes writers of one organization's trail.
    await manager.query(
      `INSERT INTO "${schema}".audit_chains (organization_id, last_sequence, last_hash) VALUES ($1, 0, $2)
       ON CONFLICT (organization_id) DO NOTHING`,
      [event.subject, GENESIS_HASH],
    );
    const [head] = await manager.query<{ last_sequence: number; last_hash: string }[]>(
      `SELECT last_sequence, last_hash FROM "${schema}".audit_chains WHERE organization_id = $1 FOR UPDATE`,
      [event.subject],
    );
    if (!head) throw new Error(`audit chain head for ${event.subject} vanished`);
    const fields = entryFields(event, { sequence: head.last_sequence, hash: head.last_hash });
    const hash = entryHash(fields);
    await manager.query(
      `INSERT INTO "${schema}".audit_entries (organization_id, sequence, event_id, event_type, source, occurred_at,
         recorded_at, details, previous_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        fields.organizationId,
        fields.sequence,
        fields.eventId,
        fields.eventType,
        fields.source,
        fields.occurredAt,
        this.clock.now(),
        JSON.stringify(fields.details),
        fields.previousHash,
        hash,
      ],
    );
    await manager.query(
      `UPDATE "${schema}".audit_chains SET last_sequence = $2, last_hash = $3 WHERE organization_id = $1`,
      [event.subject, fields.sequence, hash],
    );
  }

  /**
   * `record` for several events, in order, with four statements however many there are: create
   * the missing chain heads, lock the heads (in organization order), insert the entries, move the
   * heads. The chains come out exactly as recording the events one after another would leave them.
   */
  async recordAll(manager: EntityManager, events: readonly EventEnvelope[]): Promise<void> {
    if (events.length === 0) return;
    if (events.length === 1) return this.record(manager, events[0]);
    await this.flushDeferred(manager);
    const schema = (manager.connection.options as { schema?: string }).schema ?? 'public';
    const organizations = [...new Set(events.map((event) => event.subject.toLowerCase()))].sort();
    await manager.query(
      `INSERT INTO "${schema}".audit_chains (organization_id, last_sequence, last_hash)
       SELECT organization_id, 0, $2 FROM unnest($1::uuid[]) AS organization_id
       ON CONFLICT (organization_id) DO NOTHING`,
      [organizations, GENESIS_HASH],
    );
    const locked = await manager.query<{ organization_id: string; last_sequence: number; last_hash: string }[]>(
      `SELECT organization_id, last_sequence, last_hash FROM "${schema}".audit_chains
        WHERE organization_id = ANY($1::uuid[]) ORDER BY organization_id FOR UPDATE`,
      [organizations],
    );
    // PostgreSQL answers uuids in lower case; the events may spell them otherwise.
    const heads = new Map(locked.map((head) => [head.organization_id, { sequence: head.last_sequence, hash: head.last_hash }]));
    const recordedAt = this.clock.now();
    const rows: unknown[][] = [];
    for (const event of events) {
      const head = heads.get(event.subject.toLowerCase());
      if (!head) throw new Error(`audit chain head for ${event.subject} vanished`);
      const fields = entryFields(event, head);
      const hash = entryHash(fields);
      head.sequence = fields.sequence;
      head.hash = hash;
      rows.push([
        fields.organizationId,
        fields.sequence,
        fields.eventId,
        fields.eventType,
        fields.source,
        fields.occurredAt,
        recordedAt,
        JSON.stringify(fields.details),
        fields.previousHash,
        hash,
      ]);
    }
    for (let start = 0; start < rows.length; start += ENTRIES_PER_INSERT) {
      const chunk = rows.slice(start, start + ENTRIES_PER_INSERT);
      const values = chunk.map((_, i) => `(${Array.from({ length: 10 }, (_, j) => `$${i * 10 + j + 1}`).join(', ')})`);
      await manager.query(
        `INSERT INTO "${schema}".audit_entries (organization_id, sequence, event_id, event_type, source, occurred_at,
           recorded_at, details, previous_hash, hash) VALUES ${values.join(', ')}`,
        chunk.flat(),
      );
    }
    const moved = [...heads].map(([organizationId, head]) => [organizationId, head.sequence, head.hash]);
    await manager.query(
      `UPDATE "${schema}".audit_chains AS chain SET last_sequence = moved.last_sequence, last_hash = moved.last_hash
         FROM unnest($1::uuid[], $2::integer[], $3::text[]) AS moved (organization_id, last_sequence, last_hash)
        WHERE chain.organization_id = moved.organization_id`,
      [moved.map((row) => row[0]), moved.map((row) => row[1]), moved.map((row) => row[2])],
    );
  }

  /**
   * Queues an event for the trail of `manager`'s transaction: written, in order and set-based, by
   * `flushDeferred` or before the next `record` in that transaction, whichever comes first. The
   * caller must flush before committing (and discard on failure).
   */
  defer(manager: EntityManager, event: EventEnvelope): void {
    const runner = manager.queryRunner;
    if (!runner) throw new Error('deferring audit entries needs a transaction');
    const queued = this.deferred.get(runner) ?? [];
    queued.push(event);
    this.deferred.set(runner, queued);
  }

  async flushDeferred(manager: EntityManager): Promise<void> {
    const runner = manager.queryRunner;
    const queued = runner && this.deferred.get(runner);
    if (!runner || !queued) return;
    this.deferred.delete(runner);
    await this.recordAll(manager, queued);
  }

  discardDeferred(manager: EntityManager): void {
    if (manager.queryRunner) this.deferred.delete(manager.queryRunner);
  }

  async list(organizationId: string, page: PageRequest): Promise<ConnectionShape<AuditEntryEntity>> {
    const repository = this.dataSource.getRepository(AuditEntryEntity);
    const query = repository.createQueryBuilder('a').where('a.organization_id = :organizationId', { organizationId });
    const totalCount = await query.getCount();
    if (page.after !== null) query.andWhere('a.sequence > :after', { after: decodeSequenceCursor(page.after) });
    const rows = await query.orderBy('a.sequence', 'ASC').take(page.first + 1).getMany();
    return toConnection(rows, page, totalCount, (row) => row, (row) => encodeSequenceCursor(row.sequence));
  }

  /** Recomputes every link of the organization's chain, a batch at a time; null means intact. */
  async verify(organizationId: string): Promise<number | null> {
    return (await this.verifyChain(organizationId)).firstBrokenSequence;
  }

  async verifyChain(organizationId: string, batchSize = 1000): Promise<ChainVerification> {
    const verifier = new ChainVerifier();
    let after = 0;
    for (;;) {
      const entries = await this.dataSource
        .getRepository(AuditEntryEntity)
        .createQueryBuilder('a')
        .where('a.organization_id = :organizationId AND a.sequence > :after', { organizationId, after })
        .orderBy('a.sequence', 'ASC')
        .take(batchSize)
        .getMany();
      for (const entry of entries) {
        if (!verifier.check({ ...entry, occurredAt: entry.occurredAt.toISOString() })) return verifier.result();
      }
      if (entries.length < batchSize) return verifier.result();
      after = entries[entries.length - 1].sequence;
    }
  }
}
