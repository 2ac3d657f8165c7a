import type { ErrorCode } from '../protocol/error-codes';

/** Kafka's classic group states (the names DescribeGroups reports). */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinResult {
  readonly errorCode: ErrorCode;
  readonly generationId: number;
  readonly protocolName: string;
  readonly leaderId: string;
  readonly memberId: string;
  /** Only the leader receives the members (with their metadata) it has to assign partitions to. */
  readonly members: ReadonlyArray<{ readonly memberId: string; readonly groupInstanceId: string | null; readonly metadata: Buffer }>;
}

export interface SyncResult {
  readonly errorCode: ErrorCode;
  readonly assignment: Buffer;
}

export class Member {
  sessionTimeoutMs = 0;
  rebalanceTimeoutMs = 0;
  protocols: readonly GroupProtocol[] = [];
  assignment: Buffer = Buffer.alloc(0);
  /** Set while a JoinGroup is parked until the rebalance completes. */
  joinWaiter: ((result: JoinResult) => void) | null = null;
  /** Set while a SyncGroup is parked until the leader sends the assignment. */
  syncWaiter: ((result: SyncResult) => void) | null = null;
  sessionTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
  ) {}

  metadataFor(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }

  /** Same protocols in the same order with the same metadata: a rejoin that changes nothing. */
  matches(protocols: readonly GroupProtocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata))
    );
  }
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet, with their expiry timers. */
  readonly pendingMembers = new Map<string, NodeJS.Timeout>();
  rebalanceTimer: NodeJS.Timeout | null = null;

  constructor(readonly groupId: string) {}

  /** Whether a member with these protocols could join: same protocol type and a protocol in common with everyone. */
  supportsProtocols(protocolType: string, protocolNames: readonly string[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocolNames.length > 0;
    if (protocolType !== this.protocolType) return false;
    const members = [...this.members.values()];
    return protocolNames.some((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
  }

  /**
   * Kafka's rule: among the protocols every member supports, each member votes for the first one in
   * its own preference list, and the most voted wins (ties go to the earliest joiner's preference).
   */
  selectProtocol(): string {
    const members = [...this.members.values()];
    const candidates = members[0].protocols
      .map((p) => p.name)
      .filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    if (candidates.length === 0) throw new Error(`group ${this.groupId} has no common protocol`);
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const member of members) {
      const choice = member.protocols.find((p) => votes.has(p.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best = candidates[0];
    for (const candidate of candidates) if ((votes.get(candidate) ?? 0) > (votes.get(best) ?? 0)) best = candidate;
    return best;
  }

  allMembersJoined(): boolean {
    return this.pendingMembers.size === 0 && [...this.members.values()].every((m) => m.joinWaiter !== null);
  }

  /** Rebalances wait as long as the most patient member allows for everyone to rejoin. */
  rebalanceTimeoutMs(): number {
    return Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
  }
}
