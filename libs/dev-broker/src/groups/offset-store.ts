import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../options';

export interface CommittedOffset {
  readonly offset: number;
  readonly metadata: string | null;
}

export interface OffsetCommitEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string | null;
}

/** One line of a group's offsets file; offset null is a tombstone (its topic was deleted). */
interface OffsetLine {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number | null;
  readonly metadata: string | null;
}

function isOffsetLine(value: unknown): value is OffsetLine {
  if (typeof value !== 'object' || value === null) return false;
  const line = value as Record<string, unknown>;
  return (
    typeof line.group === 'string' &&
    typeof line.topic === 'string' &&
    typeof line.partition === 'number' &&
    (typeof line.offset === 'number' || line.offset === null) &&
    (typeof line.metadata === 'string' || line.metadata === null)
  );
}

const key = (topic: string, partition: number): string => `${partition}:${topic}`;

/**
 * Committed group offsets (what Kafka keeps in __consumer_offsets). Persisted as one append-only
 * JSON-lines file per group; every line carries the group id, so file names are only a convenience
 * and may be hashed when a group id is too long for the file system. Files are compacted on start.
 */
export class OffsetStore {
  private readonly groups = new Map<string, Map<string, OffsetCommitEntry>>();
  private readonly files = new Map<string, Promise<FileHandle>>();
  private readonly writes = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly dir: string | undefined,
    private readonly fsync: boolean,
    private readonly logger: Logger,
  ) {}

  static async open(dataDir: string | undefined, fsync: boolean, logger: Logger): Promise<OffsetStore> {
    const dir = dataDir === undefined ? undefined : join(dataDir, 'groups');
    const store = new OffsetStore(dir, fsync, logger);
    if (dir !== undefined) await store.loadAndCompact(dir);
    return store;
  }

  private fileName(group: string): string {
    const encoded = encodeURIComponent(group);
    const base = encoded.length <= 180 ? encoded : createHash('sha256').update(group).digest('hex');
    return `${base}.offsets.jsonl`;
  }

  private async loadAndCompact(dir: string): Promise<void> {
    await fs.mkdir(dir, { recursive: true });
    const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.offsets.jsonl'));
    for (const name of names) {
      const text = await fs.readFile(join(dir, name), 'utf8');
      const lines = text.split('\n');
      lines.forEach((raw, index) => {
        if (raw.trim() === '') return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          parsed = undefined;
        }
        if (!isOffsetLine(parsed)) {
          // A torn final line is an unacknowledged commit; anything else is worth a warning.
          if (index !== lines.length - 1) this.logger.warn('skipping malformed offsets line', { file: name, line: index + 1 });
          return;
        }
        this.applyLine(parsed);
      });
    }
    for (const name of names) await fs.rm(join(dir, name), { force: true });
    for (const [group, offsets] of this.groups) {
      const path = join(dir, this.fileName(group));
      const body = [...offsets.values()].map((e) => JSON.stringify(this.toLine(group, e)) + '\n').join('');
      await fs.writeFile(`${path}.tmp`, body);
      await fs.rename(`${path}.tmp`, path);
    }
  }

  private applyLine(line: OffsetLine): void {
    let offsets = this.groups.get(line.group);
    if (!offsets) {
      offsets = new Map();
      this.groups.set(line.group, offsets);
    }
    if (line.offset === null) offsets.delete(key(line.topic, line.partition));
    else offsets.set(key(line.topic, line.partition), { ...line, offset: line.offset });
    if (offsets.size === 0) this.groups.delete(line.group);
  }

  private toLine(group: string, entry: { topic: string; partition: number; offset: number | null; metadata: string | null }): OffsetLine {
    return { group, topic: entry.topic, partition: entry.partition, offset: entry.offset, metadata: entry.metadata };
  }

  /** Resolves once the commit is durable (written to the group's file) and visible to fetches. */
  commit(group: string, entries: readonly OffsetCommitEntry[]): Promise<void> {
    return this.persist(group, entries.map((e) => this.toLine(group, e)));
  }

  private persist(group: string, lines: readonly OffsetLine[]): Promise<void> {
    const previous = this.writes.get(group) ?? Promise.resolve();
    const write = previous.then(async () => {
      if (this.dir !== undefined && lines.length > 0) {
        const handle = await this.handleFor(group, this.dir);
        await handle.write(lines.map((l) => JSON.stringify(l) + '\n').join(''));
        if (this.fsync) await handle.datasync();
      }
      for (const line of lines) this.applyLine(line);
    });
    this.writes.set(
      group,
      write.catch(() => undefined),
    );
    return write;
  }

  private handleFor(group: string, dir: string): Promise<FileHandle> {
    let handle = this.files.get(group);
    if (!handle) {
      handle = fs.open(join(dir, this.fileName(group)), 'a');
      this.files.set(group, handle);
    }
    return handle;
  }

  fetch(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(group)?.get(key(topic, partition));
  }

  /** Every committed offset of a group (OffsetFetch with a null topic list). */
  all(group: string): OffsetCommitEntry[] {
    return [...(this.groups.get(group)?.values() ?? [])];
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  /** Drops offsets of a deleted topic so a re-created topic starts clean for every group. */
  async deleteTopic(topic: string): Promise<void> {
    const tasks: Promise<void>[] = [];
    for (const [group, offsets] of this.groups) {
      const doomed = [...offsets.values()].filter((e) => e.topic === topic);
      if (doomed.length > 0) tasks.push(this.persist(group, doomed.map((e) => this.toLine(group, { ...e, offset: null }))));
    }
    await Promise.all(tasks);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.writes.values()]);
    const handles = await Promise.allSettled([...this.files.values()]);
    this.files.clear();
    const opened = handles.flatMap((h) => (h.status === 'fulfilled' ? [h.value] : []));
    await Promise.all(opened.map((handle) => handle.close()));
  }
}
