import { randomUUID } from 'node:crypto';
import type { Logger } from '../options';
import { ErrorCode } from '../protocol/error-codes';
import { Group, Member, type GroupProtocol, type GroupState, type JoinResult, type SyncResult } from './group';

export interface JoinRequest {
  readonly groupId: string;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly GroupProtocol[];
  readonly clientId: string;
  readonly clientHost: string;
  /** JoinGroup v4+: a new member first gets MEMBER_ID_REQUIRED with its id, then rejoins with it (KIP-394). */
  readonly requireKnownMemberId: boolean;
}

export interface SyncRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly assignments: ReadonlyArray<{ readonly memberId: string; readonly assignment: Buffer }>;
}

export interface MemberDescription {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly metadata: Buffer;
  readonly assignment: Buffer;
}

export interface GroupDescription {
  readonly groupId: string;
  readonly state: GroupState;
  readonly protocolType: string;
  readonly protocolName: string;
  readonly members: readonly MemberDescription[];
}

export interface SessionTimeoutLimits {
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
}

/**
 * Kafka's default minimum is 6s; the dev broker accepts shorter sessions so test suites can detect
 * dead consumers quickly.
 */
const DEFAULT_LIMITS: SessionTimeoutLimits = { minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 30 * 60 * 1000 };

function failure(errorCode: ErrorCode, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolName: '', leaderId: '', memberId, members: [] };
}

/**
 * The classic consumer group protocol (JoinGroup/SyncGroup/Heartbeat/LeaveGroup) modelled on
 * Kafka's GroupCoordinator: Empty → PreparingRebalance → CompletingRebalance → Stable. JoinGroup
 * and SyncGroup calls are parked as promises until the rebalance step they wait for completes.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private closed = false;

  constructor(
    private readonly logger: Logger,
    private readonly limits: SessionTimeoutLimits = DEFAULT_LIMITS,
  ) {}

  join(request: JoinRequest): Promise<JoinResult> {
    if (this.closed) return Promise.resolve(failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, request.memberId));
    if (request.groupId === '') return Promise.resolve(failure(ErrorCode.INVALID_GROUP_ID, request.memberId));
    if (request.sessionTimeoutMs < this.limits.minSessionTimeoutMs || request.sessionTimeoutMs > this.limits.maxSessionTimeoutMs) {
      return Promise.resolve(failure(ErrorCode.INVALID_SESSION_TIMEOUT, request.memberId));
    }
    let group = this.groups.get(request.groupId);
    if (!group) {
      if (request.memberId !== '') return Promise.resolve(failure(ErrorCode.UNKNOWN_MEMBER_ID, request.memberId));
      group = new Group(request.groupId);
      this.groups.set(request.groupId, group);
    }
    const protocolNames = request.protocols.map((p) => p.name);
    if (request.memberId === '') {
      if (!group.supportsProtocols(request.protocolType, protocolNames)) {
        return Promise.resolve(failure(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, ''));
      }
      const memberId = `${request.clientId || 'member'}-${randomUUID()}`;
      if (request.requireKnownMemberId) {
        this.addPendingMember(group, memberId, request.sessionTimeoutMs);
        return Promise.resolve(failure(ErrorCode.MEMBER_ID_REQUIRED, memberId));
      }
      return this.addMemberAndRebalance(group, memberId, request);
    }
    const pendingTimer = group.pendingMembers.get(request.memberId);
    if (pendingTimer !== undefined) {
      clearTimeout(pendingTimer);
      group.pendingMembers.delete(request.memberId);
      if (!group.supportsProtocols(request.protocolType, protocolNames)) {
        this.tryCompleteJoin(group);
        return Promise.resolve(failure(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, request.memberId));
      }
      return this.addMemberAndRebalance(group, request.memberId, request);
    }
    const member = group.members.get(request.memberId);
    if (!member) return Promise.resolve(failure(ErrorCode.UNKNOWN_MEMBER_ID, request.memberId));
    if (!group.supportsProtocols(request.protocolType, protocolNames)) {
      return Promise.resolve(failure(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, request.memberId));
    }
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, request);
      case 'CompletingRebalance':
        // A retried JoinGroup for the generation just formed gets that generation again.
        if (member.matches(request.protocols)) return Promise.resolve(this.currentGeneration(group, member));
        return this.updateMemberAndRebalance(group, member, request);
      case 'Stable':
        // Only the leader (to pick up new subscriptions) or a member with changed metadata forces a rebalance.
        if (group.leaderId !== member.memberId && member.matches(request.protocols)) {
          return Promise.resolve(this.currentGeneration(group, member));
        }
        return this.updateMemberAndRebalance(group, member, request);
      case 'Empty':
      case 'Dead':
        return Promise.resolve(failure(ErrorCode.UNKNOWN_MEMBER_ID, request.memberId));
    }
  }

  sync(request: SyncRequest): Promise<SyncResult> {
    const fail = (errorCode: ErrorCode): Promise<SyncResult> => Promise.resolve({ errorCode, assignment: Buffer.alloc(0) });
    if (this.closed) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const group = this.groups.get(request.groupId);
    const member = group?.members.get(request.memberId);
    if (!group || !member) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (request.generationId !== group.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    switch (group.state) {
      case 'Empty':
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'Dead':
        return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      case 'PreparingRebalance':
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.scheduleSessionExpiry(group, member);
        return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: member.assignment });
      case 'CompletingRebalance':
        return new Promise<SyncResult>((resolve) => {
          member.syncWaiter?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
          member.syncWaiter = resolve;
          this.scheduleSessionExpiry(group, member);
          if (group.leaderId === member.memberId) this.completeSync(group, request.assignments);
        });
    }
  }

  heartbeat(groupId: string, generationId: number, memberId: string): ErrorCode {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (!group || !member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    switch (group.state) {
      case 'Empty':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'Dead':
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      case 'PreparingRebalance':
        // Still alive, but it must rejoin: this is how members learn about a rebalance.
        this.scheduleSessionExpiry(group, member);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      case 'CompletingRebalance':
      case 'Stable':
        this.scheduleSessionExpiry(group, member);
        return ErrorCode.NONE;
    }
  }

  /** LeaveGroup for one or more members (v3 batches them); one error code per member. */
  leave(groupId: string, memberIds: readonly string[]): ErrorCode[] {
    if (this.closed) return memberIds.map(() => ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const group = this.groups.get(groupId);
    return memberIds.map((memberId) => {
      if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
      const pendingTimer = group.pendingMembers.get(memberId);
      if (pendingTimer !== undefined) {
        clearTimeout(pendingTimer);
        group.pendingMembers.delete(memberId);
        this.tryCompleteJoin(group);
        return ErrorCode.NONE;
      }
      const member = group.members.get(memberId);
      if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.removeMember(group, member, 'left the group');
      return ErrorCode.NONE;
    });
  }

  /**
   * Whether an OffsetCommit may be stored. Generation -1 is a commit from outside group management
   * (admin tools, kcat -o), allowed only while nobody is consuming. Members of the current
   * generation may still commit during PreparingRebalance, which is what lets consumers commit
   * their progress before rejoining.
   */
  validateCommit(groupId: string, generationId: number, memberId: string): ErrorCode {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (!group) return generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (generationId < 0 && group.state === 'Empty') return ErrorCode.NONE;
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (member.joinWaiter === null) this.scheduleSessionExpiry(group, member);
    return ErrorCode.NONE;
  }

  describe(groupId: string): GroupDescription | undefined {
    const group = this.groups.get(groupId);
    if (!group) return undefined;
    // Like Kafka, metadata and assignments are only meaningful (and only shown) once Stable.
    const stable = group.state === 'Stable';
    return {
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolName: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? m.metadataFor(group.protocolName) : Buffer.alloc(0),
        assignment: stable ? m.assignment : Buffer.alloc(0),
      })),
    };
  }

  list(): Array<{ groupId: string; protocolType: string }> {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '' }));
  }

  /** Answers every parked request and clears every timer so the process can exit. */
  close(): void {
    this.closed = true;
    for (const group of this.groups.values()) {
      if (group.rebalanceTimer) clearTimeout(group.rebalanceTimer);
      group.rebalanceTimer = null;
      for (const timer of group.pendingMembers.values()) clearTimeout(timer);
      group.pendingMembers.clear();
      for (const member of group.members.values()) {
        if (member.sessionTimer) clearTimeout(member.sessionTimer);
        member.sessionTimer = null;
        member.joinWaiter?.(failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, member.memberId));
        member.joinWaiter = null;
        member.syncWaiter?.({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, assignment: Buffer.alloc(0) });
        member.syncWaiter = null;
      }
    }
  }

  private addPendingMember(group: Group, memberId: string, sessionTimeoutMs: number): void {
    const timer = setTimeout(() => {
      group.pendingMembers.delete(memberId);
      this.tryCompleteJoin(group);
    }, sessionTimeoutMs);
    group.pendingMembers.set(memberId, timer);
  }

  private addMemberAndRebalance(group: Group, memberId: string, request: JoinRequest): Promise<JoinResult> {
    const member = new Member(memberId, request.groupInstanceId, request.clientId, request.clientHost);
    if (group.members.size === 0) group.protocolType = request.protocolType;
    group.members.set(memberId, member);
    if (group.leaderId === null) group.leaderId = memberId;
    this.logger.info('member joining group', { groupId: group.groupId, memberId, state: group.state });
    return this.updateMemberAndRebalance(group, member, request);
  }

  private updateMemberAndRebalance(group: Group, member: Member, request: JoinRequest): Promise<JoinResult> {
    member.protocols = request.protocols;
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    return new Promise<JoinResult>((resolve) => {
      // A member can only have one JoinGroup in flight; an older one (from a dropped connection)
      // is answered so it does not hang forever.
      member.joinWaiter?.(failure(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
      member.joinWaiter = resolve;
      // Members waiting in JoinGroup cannot heartbeat; the rebalance timeout governs them instead.
      if (member.sessionTimer) clearTimeout(member.sessionTimer);
      member.sessionTimer = null;
      if (group.state !== 'PreparingRebalance') this.prepareRebalance(group, `member ${member.memberId} joined`);
      this.tryCompleteJoin(group);
    });
  }

  private prepareRebalance(group: Group, reason: string): void {
    if (group.state === 'CompletingRebalance') {
      // Members parked in SyncGroup belong to a generation that will never become Stable.
      for (const member of group.members.values()) {
        member.assignment = Buffer.alloc(0);
        member.syncWaiter?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
        member.syncWaiter = null;
      }
    }
    group.state = 'PreparingRebalance';
    if (group.rebalanceTimer) clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = setTimeout(() => this.completeJoin(group), group.rebalanceTimeoutMs());
    this.logger.info('preparing rebalance', { groupId: group.groupId, generationId: group.generationId, reason });
  }

  private tryCompleteJoin(group: Group): void {
    if (group.state === 'PreparingRebalance' && group.allMembersJoined()) this.completeJoin(group);
  }

  /** Ends the join phase: drops members that did not rejoin in time and starts the next generation. */
  private completeJoin(group: Group): void {
    if (group.rebalanceTimer) clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = null;
    if (group.state !== 'PreparingRebalance') return;
    for (const member of [...group.members.values()]) {
      if (member.joinWaiter === null) {
        this.logger.warn('member did not rejoin before the rebalance timeout', { groupId: group.groupId, memberId: member.memberId });
        this.detach(group, member);
      }
    }
    for (const timer of group.pendingMembers.values()) clearTimeout(timer);
    group.pendingMembers.clear();
    group.generationId += 1;
    if (group.members.size === 0) {
      // Like Kafka, an empty group keeps its protocol type (ListGroups still says "consumer").
      group.state = 'Empty';
      group.protocolName = null;
      group.leaderId = null;
      this.logger.info('group is empty', { groupId: group.groupId, generationId: group.generationId });
      return;
    }
    if (group.leaderId === null || !group.members.has(group.leaderId)) group.leaderId = group.members.keys().next().value ?? null;
    group.protocolName = group.selectProtocol();
    group.state = 'CompletingRebalance';
    this.logger.info('rebalance joined', {
      groupId: group.groupId,
      generationId: group.generationId,
      protocol: group.protocolName,
      members: group.members.size,
    });
    for (const member of group.members.values()) {
      const waiter = member.joinWaiter;
      member.joinWaiter = null;
      waiter?.(this.currentGeneration(group, member));
      this.scheduleSessionExpiry(group, member);
    }
  }

  private completeSync(group: Group, assignments: SyncRequest['assignments']): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    group.state = 'Stable';
    for (const member of group.members.values()) {
      member.assignment = byMember.get(member.memberId) ?? Buffer.alloc(0);
      const waiter = member.syncWaiter;
      member.syncWaiter = null;
      waiter?.({ errorCode: ErrorCode.NONE, assignment: member.assignment });
    }
    this.logger.info('group stable', { groupId: group.groupId, generationId: group.generationId });
  }

  private currentGeneration(group: Group, member: Member): JoinResult {
    const isLeader = group.leaderId === member.memberId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolName: group.protocolName ?? '',
      leaderId: group.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: m.metadataFor(group.protocolName),
          }))
        : [],
    };
  }

  private scheduleSessionExpiry(group: Group, member: Member): void {
    if (this.closed) return;
    if (member.sessionTimer) clearTimeout(member.sessionTimer);
    member.sessionTimer = setTimeout(() => {
      member.sessionTimer = null;
      // A member parked in JoinGroup/SyncGroup cannot heartbeat; it is not dead.
      if (member.joinWaiter || member.syncWaiter) this.scheduleSessionExpiry(group, member);
      else this.removeMember(group, member, 'session timeout expired');
    }, member.sessionTimeoutMs);
  }

  /** Removes a member without touching the group state (the caller decides what happens next). */
  private detach(group: Group, member: Member): void {
    if (member.sessionTimer) clearTimeout(member.sessionTimer);
    member.sessionTimer = null;
    member.joinWaiter?.(failure(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.joinWaiter = null;
    member.syncWaiter?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) });
    member.syncWaiter = null;
    group.members.delete(member.memberId);
    if (group.leaderId === member.memberId) group.leaderId = group.members.keys().next().value ?? null;
  }

  private removeMember(group: Group, member: Member, reason: string): void {
    if (group.members.get(member.memberId) !== member) return;
    this.logger.info('member removed from group', { groupId: group.groupId, memberId: member.memberId, reason });
    this.detach(group, member);
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.prepareRebalance(group, `member ${member.memberId} ${reason}`);
        this.tryCompleteJoin(group);
        break;
      case 'PreparingRebalance':
        this.tryCompleteJoin(group);
        break;
      case 'Empty':
      case 'Dead':
        break;
    }
  }
}
