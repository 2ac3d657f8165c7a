import { promises as fs } from 'node:fs';
import { GroupCoordinator } from './groups/group-coordinator';
import { OffsetStore } from './groups/offset-store';
import { SUPPORTED_APIS } from './handlers';
import { TopicStore } from './log/topic-store';
import type { ResolvedOptions } from './options';
import type { ApiVersionRange } from './protocol/api-keys';
import { SaslAuthenticator } from './security/sasl';

/** Shared state every request handler works against. */
export class BrokerContext {
  /** Single node that is leader of every partition, controller and coordinator of every group. */
  readonly nodeId = 1;
  readonly clusterId = 'offboarding-dev-broker';
  private advertisedPort = 0;
  private closingFlag = false;
  private readonly closeListeners = new Set<() => void>();
  private lastProducerId: number;
  /** The users and mechanisms of a SASL listener; null when clients need not authenticate. */
  readonly sasl: SaslAuthenticator | null;

  constructor(
    readonly options: ResolvedOptions,
    readonly topics: TopicStore,
    readonly groups: GroupCoordinator,
    readonly offsets: OffsetStore,
    readonly supportedApis: readonly ApiVersionRange[],
    sasl: SaslAuthenticator | null = null,
  ) {
    // Seeded from the clock (and anything already in the logs) so ids handed out before a restart
    // are never handed out again to a different producer; 1000 ids per millisecond of uptime
    // would be needed to collide.
    this.lastProducerId = Math.max(Date.now() * 1000, topics.maxProducerId());
    this.sasl = sasl;
  }

  /** Opens (and for a data directory, recovers) the stores. */
  static async create(options: ResolvedOptions): Promise<BrokerContext> {
    // Bad SASL settings fail before any file is opened.
    const sasl = options.sasl ? new SaslAuthenticator(options.sasl) : null;
    if (options.dataDir !== undefined) await fs.mkdir(options.dataDir, { recursive: true });
    const topics = await TopicStore.open(options.dataDir, options.fsync, options.logger);
    const offsets = await OffsetStore.open(options.dataDir, options.fsync, options.logger);
    return new BrokerContext(options, topics, new GroupCoordinator(options.logger), offsets, SUPPORTED_APIS, sasl);
  }

  get port(): number {
    return this.advertisedPort;
  }

  setPort(port: number): void {
    this.advertisedPort = port;
  }

  get closing(): boolean {
    return this.closingFlag;
  }

  /** Wakes long-polling requests so the server can drain and stop. */
  beginClose(): void {
    this.closingFlag = true;
    for (const listener of [...this.closeListeners]) listener();
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Stops group timers and closes files; call once no request is in flight any more. */
  async closeStores(): Promise<void> {
    this.beginClose();
    this.groups.close();
    await this.topics.close();
    await this.offsets.close();
  }

  allocateProducerId(): number {
    this.lastProducerId += 1;
    return this.lastProducerId;
  }
}
