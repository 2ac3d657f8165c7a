import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, In, LessThan } from 'typeorm';
import { UnitOfWork } from '@offboarding/messaging';
import { Clock, DomainError, ErrorCode, LOGGER, NotFoundError, readCollection, type Role, SERVICE_CONFIG, type ServiceConfig } from '@offboarding/platform';
import { ObjectStorage } from '@offboarding/storage';
import { CONFIRMING_SERVICES } from '../shared/confirming-services';
import { RETENTION_CONFIG, type RetentionConfig } from '../shared/retention-config';
import { RetentionJournal } from '../shared/retention-journal';
import { ACTIVE_CASE_STATUSES, CaseStatus } from '../timeline/case-status';
import { KnownOrganizationEntity, RetentionCaseEntity } from '../timeline/retention.entities';
import { DataExportEntity, DataExportStatus } from './data-export.entity';
import { downloadUrl } from './download-link';
import { type ArchiveProgress, type CollectionSource, type ExportManifest, writeExportArchive } from './export-archive';
import { ServiceCollectionsClient } from './service-collections';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A RUNNING export not finished after this long was left behind by a restart: it runs again. */
const STALE_AFTER_MS = 30 * 60 * 1000;

/** A running export's progress is written to its row at most this often (and once more at the end). */
const PROGRESS_INTERVAL_MS = 250;

interface ExportProgress extends ArchiveProgress {
  collectionsTotal: number;
}

/**
 * Keeps an export's recorded progress close to the archive's without a write per chunk: the
 * latest report is written at most every PROGRESS_INTERVAL_MS, one write at a time, in order.
 */
class ProgressWriter {
  private latest: ExportProgress | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastWriteAt = -Infinity;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (progress: ExportProgress) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  report(progress: ExportProgress): void {
    this.latest = progress;
    if (this.timer) return;
    const wait = Math.max(0, this.lastWriteAt + PROGRESS_INTERVAL_MS - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  private flush(): void {
    const progress = this.latest;
    if (!progress) return;
    this.latest = null;
    this.lastWriteAt = performance.now();
    this.writing = this.writing
      .then(() => this.write(progress))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'recording a data export\'s progress failed'));
  }

  /** Drops what is not written yet (the final numbers are the caller's) and waits for the write in flight. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.latest = null;
    await this.writing;
  }
}

/** The retention service's own collection in every export. */
const AUDIT_TRAIL_COLLECTION = {
  collection: 'audit_entries',
  organizationColumn: 'organization_id',
  columns: ['sequence', 'event_id', 'event_type', 'source', 'occurred_at', 'recorded_at', 'details', 'previous_hash', 'hash'],
  primaryColumns: ['organization_id', 'sequence'],
};

export interface RequestExportCommand {
  organizationId: string;
  actor: string;
  role: Role;
}

/**
 * Data exports: a request is recorded and answered at once; the ZIP is built right after, in
 * this process, by streaming every collection of every service into object storage.
 */
@Injectable()
export class DataExportService implements OnApplicationBootstrap, OnApplicationShutdown {
  private running: Promise<unknown> = Promise.resolve();
  private scheduled = false;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly journal: RetentionJournal,
    private readonly storage: ObjectStorage,
    private readonly collections: ServiceCollectionsClient,
    private readonly clock: Clock,
    @Inject(RETENTION_CONFIG) private readonly config: RetentionConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_CONFIG) private readonly service: ServiceConfig,
  ) {}

  /**
   * Collaborators may export only while the export window is open (always, when the organization
   * is not offboarding); admins throughout retention. Nothing is left to export after a purge.
   */
  async request(command: RequestExportCommand): Promise<DataExportEntity> {
    if (!UUID.test(command.organizationId)) throw new NotFoundError('organization', command.organizationId);
    const created = await this.unitOfWork.run(async (tx) => {
      const latest = await tx.manager.findOne(RetentionCaseEntity, { where: { organizationId: command.organizationId }, order: { openedAt: 'DESC', id: 'DESC' } });
      if (latest && (latest.status === CaseStatus.PURGING || latest.status === CaseStatus.PURGED)) {
        throw new DomainError(ErrorCode.INVALID_TRANSITION, `organization ${command.organizationId} is being or was purged: there is nothing left to export`, {
          entity: 'organization',
          currentStatus: latest.status,
          action: 'export',
        });
      }
      const known = await tx.manager.findOneBy(KnownOrganizationEntity, { organizationId: command.organizationId });
      if (!known && !latest) throw new NotFoundError('organization', command.organizationId);
      const now = this.clock.now();
      const governing = latest && ACTIVE_CASE_STATUSES.includes(latest.status) ? latest : null;
      if (command.role !== 'ADMIN' && governing && now >= governing.exportWindowClosesAt) {
        throw new DomainError(ErrorCode.EXPORT_WINDOW_CLOSED, `the export window closed at ${governing.exportWindowClosesAt.toISOString()}; ask your account manager`, {
          organizationId: command.organizationId,
          exportWindowClosedAt: governing.exportWindowClosesAt.toISOString(),
        });
      }
      const row: DataExportEntity = {
        id: randomUUID(),
        organizationId: command.organizationId,
        status: DataExportStatus.PENDING,
        requestedBy: command.actor,
        storageKey: null,
        sizeBytes: null,
        sha256: null,
        collections: null,
        collectionsDone: 0,
        collectionsTotal: null,
        rowsWritten: 0,
        error: null,
        requestedAt: now,
        startedAt: null,
        readyAt: null,
        updatedAt: now,
      };
      await tx.manager.insert(DataExportEntity, row);
      await this.journal.action(tx, {
        organizationId: command.organizationId,
        actor: command.actor,
        action: 'data_export.request',
        subjectType: 'data_export',
        subjectId: row.id,
        afterStatus: DataExportStatus.PENDING,
      });
      return row;
    });
    this.kick();
    return created;
  }

  async find(id: string): Promise<DataExportEntity | null> {
    return UUID.test(id) ? this.dataSource.getRepository(DataExportEntity).findOneBy({ id }) : null;
  }

  async listFor(organizationId: string): Promise<DataExportEntity[]> {
    if (!UUID.test(organizationId)) return [];
    return this.dataSource.getRepository(DataExportEntity).find({ where: { organizationId }, order: { requestedAt: 'DESC', id: 'DESC' }, take: 50 });
  }

  /** A fresh signed link for a ready export, valid for EXPORT_URL_TTL_SECONDS from now. */
  downloadUrlOf(row: DataExportEntity): { url: string; expiresAt: Date } | null {
    if (row.status !== DataExportStatus.READY) return null;
    const expiresAt = new Date(this.clock.now().getTime() + this.config.exportUrlTtlSeconds * 1000);
    return { url: downloadUrl(this.config.publicBaseUrl, this.config.exportUrlSecret, row.id, expiresAt), expiresAt };
  }

  onApplicationBootstrap(): void {
    if (this.service.run.mode !== 'serve') return;
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** Exports a restart left RUNNING go back to PENDING (the timeline-tick job calls this). */
  async resumeStale(now: Date): Promise<number> {
    const result = await this.dataSource
      .getRepository(DataExportEntity)
      .update({ status: DataExportStatus.RUNNING, startedAt: LessThan(new Date(now.getTime() - STALE_AFTER_MS)) }, { status: DataExportStatus.PENDING, updatedAt: now });
    const pending = await this.dataSource.getRepository(DataExportEntity).countBy({ status: DataExportStatus.PENDING });
    if (pending > 0) this.kick();
    return result.affected ?? 0;
  }

  /** Starts working off pending exports after the current transaction, unless already at it. */
  kick(): void {
    if (this.scheduled || this.stopping) return;
    this.scheduled = true;
    setImmediate(() => {
      this.running = this.running
        .then(() => this.runPending())
        .catch((error: unknown) => this.logger.error({ err: error }, 'data export round failed'))
        .finally(() => (this.scheduled = false));
    });
  }

  /** Builds every pending export, one at a time; returns how many were finished. */
  async runPending(): Promise<number> {
    let finished = 0;
    while (!this.stopping) {
      const claimed = await this.claim();
      if (!claimed) return finished;
      await this.build(claimed);
      finished += 1;
    }
    return finished;
  }

  private async claim(): Promise<DataExportEntity | null> {
    return this.unitOfWork.run(async (tx) => {
      const row = await tx.manager.findOne(DataExportEntity, {
        where: { status: DataExportStatus.PENDING },
        order: { requestedAt: 'ASC' },
        lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
      });
      if (!row) return null;
      const now = this.clock.now();
      // A run starts from nothing, a restarted one too: its progress counts again.
      Object.assign(row, { status: DataExportStatus.RUNNING, startedAt: now, updatedAt: now, collectionsDone: 0, collectionsTotal: null, rowsWritten: 0 });
      await tx.manager.save(DataExportEntity, row);
      return row;
    });
  }

  private async build(row: DataExportEntity): Promise<void> {
    const key = `data-exports/${row.organizationId}/${row.id}.zip`;
    const started = performance.now();
    const abort = new AbortController();
    const progress = new ProgressWriter((values) => this.recordProgress(row.id, values), this.logger);
    try {
      const plan = await this.plan(row.organizationId);
      progress.report({ collectionsDone: 0, collectionsTotal: plan.length, rowsWritten: 0 });
      const archive = writeExportArchive(plan, {
        exportId: row.id,
        organizationId: row.organizationId,
        now: this.clock.now(),
        signal: abort.signal,
        onProgress: (done) => progress.report({ ...done, collectionsTotal: plan.length }),
      });
      const stored = this.storage.put(key, archive.stream).catch((error: unknown) => {
        abort.abort(error);
        throw error;
      });
      const [object, manifest] = await Promise.all([stored, archive.manifest]);
      await progress.close();
      await this.finish(row, key, object.size, object.sha256, manifest);
      this.logger.info({ exportId: row.id, organizationId: row.organizationId, bytes: object.size, ms: Math.round(performance.now() - started) }, 'data export ready');
    } catch (error) {
      await progress.close();
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn({ exportId: row.id, organizationId: row.organizationId, error: message }, 'data export failed');
      await this.storage.delete(key).catch(() => false);
      const now = this.clock.now();
      await this.dataSource.getRepository(DataExportEntity).update({ id: row.id }, { status: DataExportStatus.FAILED, error: message.slice(0, 1000), updatedAt: now });
    }
  }

  /** A running export's progress, as far as it got (only while it is still RUNNING). */
  private async recordProgress(id: string, values: ExportProgress): Promise<void> {
    await this.dataSource
      .getRepository(DataExportEntity)
      .update({ id, status: DataExportStatus.RUNNING }, { collectionsDone: values.collectionsDone, collectionsTotal: values.collectionsTotal, rowsWritten: values.rowsWritten, updatedAt: this.clock.now() });
  }

  private async finish(row: DataExportEntity, key: string, size: number, sha256: string, manifest: ExportManifest): Promise<void> {
    await this.unitOfWork.run(async (tx) => {
      const now = this.clock.now();
      const collections = Object.fromEntries(manifest.collections.map((entry) => [`${entry.service}/${entry.collection}`, entry.rows]));
      await tx.manager.update(DataExportEntity, { id: row.id }, {
        status: DataExportStatus.READY,
        storageKey: key,
        sizeBytes: size,
        sha256,
        collections,
        collectionsDone: manifest.collections.length,
        collectionsTotal: manifest.collections.length,
        rowsWritten: manifest.collections.reduce((sum, entry) => sum + entry.rows, 0),
        readyAt: now,
        updatedAt: now,
      });
      await this.journal.publish(tx, 'com.offboarding.retention.data_export_ready.v1', row.organizationId, {
        organizationId: row.organizationId,
        exportId: row.id,
        sizeBytes: size,
        sha256,
        requestedBy: row.requestedBy,
        readyAt: now.toISOString(),
      });
    });
  }

  /**
   * Every service's collections in a fixed order, then retention's audit trail. Every service is
   * asked what it holds before the first row is written, so the total is known from the start.
   */
  private async plan(organizationId: string): Promise<CollectionSource[]> {
    const plan: CollectionSource[] = [];
    for (const service of CONFIRMING_SERVICES) {
      const summary = await this.collections.summary(service, organizationId);
      for (const collection of Object.keys(summary).sort()) {
        plan.push({
          service,
          collection,
          columns: summary[collection].columns,
          rows: () => this.collections.rows(service, organizationId, collection),
        });
      }
    }
    plan.push({
      service: 'retention',
      collection: 'audit_trail',
      columns: AUDIT_TRAIL_COLLECTION.columns,
      rows: () => readCollection(this.dataSource, AUDIT_TRAIL_COLLECTION, organizationId),
    });
    return plan;
  }

  /** Exports still being built for an organization (the purge waits for none: files go with it). */
  async unfinished(organizationId: string): Promise<number> {
    return this.dataSource.getRepository(DataExportEntity).countBy({ organizationId, status: In([DataExportStatus.PENDING, DataExportStatus.RUNNING]) });
  }
}
