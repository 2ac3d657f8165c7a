import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../options';
import { ErrorCode, KafkaError } from '../protocol/error-codes';
import { FileBatchStore, MemoryBatchStore, type BatchStore } from './batch-store';
import { PartitionLog } from './partition-log';

export interface Topic {
  readonly name: string;
  readonly partitions: readonly PartitionLog[];
}

/** Generous, but stops a typo like 1e6 partitions from creating a million files. */
export const MAX_PARTITIONS = 10_000;
const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const TOPIC_META_FILE = 'topic.json';

/** Kafka's topic name rules; they also guarantee the name is a safe directory name. */
export function topicNameError(name: string): string | null {
  if (!LEGAL_TOPIC_NAME.test(name)) return `topic name '${name}' must be 1-249 characters of [a-zA-Z0-9._-]`;
  if (name === '.' || name === '..') return `topic name '${name}' is reserved`;
  return null;
}

interface TopicMeta {
  readonly name: string;
  readonly partitions: number;
}

function isTopicMeta(value: unknown): value is TopicMeta {
  if (typeof value !== 'object' || value === null) return false;
  const meta = value as Record<string, unknown>;
  return typeof meta.name === 'string' && typeof meta.partitions === 'number' && Number.isInteger(meta.partitions);
}

/**
 * All topics and their partition logs. On disk each topic is a directory holding `topic.json` and
 * one `<partition>.log` per partition; `topic.json` is written last (atomically), so a directory
 * without it is an interrupted creation or deletion and is discarded on startup.
 */
export class TopicStore {
  private readonly topics = new Map<string, Topic>();
  private readonly creating = new Map<string, Promise<Topic>>();
  private closed = false;

  private constructor(
    private readonly dir: string | undefined,
    private readonly fsync: boolean,
    private readonly logger: Logger,
  ) {}

  static async open(dataDir: string | undefined, fsync: boolean, logger: Logger): Promise<TopicStore> {
    const dir = dataDir === undefined ? undefined : join(dataDir, 'topics');
    const store = new TopicStore(dir, fsync, logger);
    if (dir !== undefined) {
      await fs.mkdir(dir, { recursive: true });
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) await store.load(entry.name);
      }
    }
    return store;
  }

  private async load(dirName: string): Promise<void> {
    const topicDir = join(this.requireDir(), dirName);
    let meta: unknown;
    try {
      meta = JSON.parse(await fs.readFile(join(topicDir, TOPIC_META_FILE), 'utf8'));
    } catch {
      meta = undefined;
    }
    if (!isTopicMeta(meta) || meta.name !== dirName || topicNameError(meta.name) !== null) {
      this.logger.warn('discarding incomplete topic directory', { dir: topicDir });
      await fs.rm(topicDir, { recursive: true, force: true });
      return;
    }
    const partitions: PartitionLog[] = [];
    for (let p = 0; p < meta.partitions; p++) {
      const store = await FileBatchStore.open(join(topicDir, `${p}.log`), this.fsync, this.logger);
      partitions.push(await PartitionLog.open(meta.name, p, store));
    }
    this.topics.set(meta.name, { name: meta.name, partitions });
  }

  private requireDir(): string {
    if (this.dir === undefined) throw new Error('topic store is in memory');
    return this.dir;
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  list(): Topic[] {
    return [...this.topics.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Highest producer id found in any log, so restarts never hand out an id still in use. */
  maxProducerId(): number {
    let max = -1;
    for (const topic of this.topics.values()) for (const log of topic.partitions) max = Math.max(max, log.maxProducerId());
    return max;
  }

  static validate(name: string, partitions: number): void {
    const nameError = topicNameError(name);
    if (nameError !== null) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, nameError);
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `number of partitions must be between 1 and ${MAX_PARTITIONS}, got ${partitions}`);
    }
  }

  /** Creates a topic; concurrent creations of one name (e.g. two auto-creating Metadata requests) share the work. */
  async create(name: string, partitions: number): Promise<Topic> {
    TopicStore.validate(name, partitions);
    if (this.topics.has(name) || this.creating.has(name)) {
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${name}' already exists`);
    }
    return this.startCreation(name, partitions);
  }

  async getOrCreate(name: string, partitions: number): Promise<Topic> {
    const existing = this.topics.get(name) ?? this.creating.get(name);
    if (existing) return existing;
    TopicStore.validate(name, partitions);
    return this.startCreation(name, partitions);
  }

  private startCreation(name: string, partitions: number): Promise<Topic> {
    if (this.closed) return Promise.reject(new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, 'broker is shutting down'));
    const creation = this.build(name, partitions).finally(() => this.creating.delete(name));
    this.creating.set(name, creation);
    return creation;
  }

  private async build(name: string, count: number): Promise<Topic> {
    const partitions: PartitionLog[] = [];
    if (this.dir === undefined) {
      for (let p = 0; p < count; p++) partitions.push(await PartitionLog.open(name, p, new MemoryBatchStore()));
    } else {
      const topicDir = join(this.dir, name);
      await fs.mkdir(topicDir, { recursive: true });
      for (let p = 0; p < count; p++) {
        const store: BatchStore = await FileBatchStore.open(join(topicDir, `${p}.log`), this.fsync, this.logger);
        partitions.push(await PartitionLog.open(name, p, store));
      }
      const metaPath = join(topicDir, TOPIC_META_FILE);
      await fs.writeFile(`${metaPath}.tmp`, JSON.stringify({ name, partitions: count } satisfies TopicMeta));
      await fs.rename(`${metaPath}.tmp`, metaPath);
    }
    const topic: Topic = { name, partitions };
    this.topics.set(name, topic);
    this.logger.info('topic created', { topic: name, partitions: count });
    return topic;
  }

  async delete(name: string): Promise<void> {
    const topic = this.topics.get(name);
    if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${name}' does not exist`);
    this.topics.delete(name);
    await Promise.all(topic.partitions.map((log) => log.close()));
    if (this.dir !== undefined) {
      const topicDir = join(this.dir, name);
      // Metadata first: if we crash half way, startup sees an incomplete directory and finishes the job.
      await fs.rm(join(topicDir, TOPIC_META_FILE), { force: true });
      await fs.rm(topicDir, { recursive: true, force: true });
    }
    this.logger.info('topic deleted', { topic: name });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.creating.values()]);
    const logs = [...this.topics.values()].flatMap((t) => t.partitions);
    this.topics.clear();
    await Promise.all(logs.map((log) => log.close()));
  }
}
