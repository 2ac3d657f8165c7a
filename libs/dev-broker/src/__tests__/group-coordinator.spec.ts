import type { JoinResult, SyncResult } from '../groups/group';
import { GroupCoordinator, type JoinRequest } from '../groups/group-coordinator';
import { ErrorCode } from '../protocol/error-codes';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const PENDING: unique symbol = Symbol('pending');
const GROUP = 'billing';
const SESSION = 10_000;
const REBALANCE = 30_000;

/** Resolved value if the promise has settled, PENDING otherwise (coordinator promises settle synchronously). */
async function peek<T>(promise: Promise<T>): Promise<T | typeof PENDING> {
  return Promise.race([promise, Promise.resolve().then((): typeof PENDING => PENDING)]);
}

function request(overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: GROUP,
    memberId: '',
    groupInstanceId: null,
    sessionTimeoutMs: SESSION,
    rebalanceTimeoutMs: REBALANCE,
    protocolType: 'consumer',
    protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from('meta') }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: false,
    ...overrides,
  };
}

describe('GroupCoordinator', () => {
  let coordinator: GroupCoordinator;

  beforeEach(() => {
    jest.useFakeTimers();
    coordinator = new GroupCoordinator(silent);
  });

  afterEach(() => {
    coordinator.close();
    jest.useRealTimers();
  });

  const state = (): string | undefined => coordinator.describe(GROUP)?.state;

  /** Joins a brand-new member into an empty group and syncs it to Stable. */
  async function stableSingleMember(assignment = 'all'): Promise<JoinResult> {
    const joined = await coordinator.join(request({ clientId: 'first' }));
    await coordinator.sync({
      groupId: GROUP,
      generationId: joined.generationId,
      memberId: joined.memberId,
      assignments: [{ memberId: joined.memberId, assignment: Buffer.from(assignment) }],
    });
    return joined;
  }

  it('forms a first generation with the first joiner as leader, then becomes Stable on the leader’s SyncGroup', async () => {
    const joined = await coordinator.join(request());
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    expect(joined.generationId).toBe(1);
    expect(joined.leaderId).toBe(joined.memberId);
    expect(joined.protocolName).toBe('RoundRobinAssigner');
    expect(joined.members).toEqual([{ memberId: joined.memberId, groupInstanceId: null, metadata: Buffer.from('meta') }]);
    expect(state()).toBe('CompletingRebalance');

    const synced = await coordinator.sync({
      groupId: GROUP,
      generationId: 1,
      memberId: joined.memberId,
      assignments: [{ memberId: joined.memberId, assignment: Buffer.from('p0,p1') }],
    });
    expect(synced).toEqual({ errorCode: ErrorCode.NONE, assignment: Buffer.from('p0,p1') });
    expect(state()).toBe('Stable');
    expect(coordinator.heartbeat(GROUP, 1, joined.memberId)).toBe(ErrorCode.NONE);
    expect(coordinator.describe(GROUP)).toMatchObject({ protocolType: 'consumer', protocolName: 'RoundRobinAssigner' });
  });

  it('makes new members rejoin with a broker-assigned id when the client requires it (JoinGroup v4+)', async () => {
    const first = await coordinator.join(request({ requireKnownMemberId: true, clientId: 'kafkajs' }));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^kafkajs-/);
    expect(state()).toBe('Empty');
    const second = await coordinator.join(request({ requireKnownMemberId: true, memberId: first.memberId }));
    expect(second).toMatchObject({ errorCode: ErrorCode.NONE, memberId: first.memberId, generationId: 1, leaderId: first.memberId });
  });

  it('forgets a pending member id that never rejoins within its session timeout', async () => {
    const leader = await stableSingleMember();
    const pending = await coordinator.join(request({ requireKnownMemberId: true }));
    expect(pending.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    // The pending id does not trigger a rebalance by itself.
    expect(coordinator.heartbeat(GROUP, 1, leader.memberId)).toBe(ErrorCode.NONE);
    jest.advanceTimersByTime(SESSION + 1);
    expect((await coordinator.join(request({ memberId: pending.memberId }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('rebalances when a second member joins: the leader learns it from its heartbeat and both get the new generation', async () => {
    const leader = await stableSingleMember();
    const joining = coordinator.join(request({ clientId: 'second' }));
    expect(await peek(joining)).toBe(PENDING);
    expect(state()).toBe('PreparingRebalance');
    expect(coordinator.heartbeat(GROUP, 1, leader.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);

    const leaderRejoin = await coordinator.join(request({ memberId: leader.memberId }));
    const follower = await joining;
    expect(leaderRejoin.generationId).toBe(2);
    expect(follower.generationId).toBe(2);
    expect(leaderRejoin.leaderId).toBe(leader.memberId);
    expect(follower.leaderId).toBe(leader.memberId);
    // Only the leader receives the member list it must assign.
    expect(leaderRejoin.members.map((m) => m.memberId).sort()).toEqual([leader.memberId, follower.memberId].sort());
    expect(follower.members).toEqual([]);

    // The follower's SyncGroup waits for the leader's assignment.
    const followerSync = coordinator.sync({ groupId: GROUP, generationId: 2, memberId: follower.memberId, assignments: [] });
    expect(await peek(followerSync)).toBe(PENDING);
    const leaderSync = await coordinator.sync({
      groupId: GROUP,
      generationId: 2,
      memberId: leader.memberId,
      assignments: [
        { memberId: leader.memberId, assignment: Buffer.from('p0') },
        { memberId: follower.memberId, assignment: Buffer.from('p1') },
      ],
    });
    expect(leaderSync.assignment.toString()).toBe('p0');
    expect((await followerSync).assignment.toString()).toBe('p1');
    expect(state()).toBe('Stable');
  });

  it('gives members left out of the leader’s assignment an empty one', async () => {
    const leader = await stableSingleMember();
    const joining = coordinator.join(request());
    await coordinator.join(request({ memberId: leader.memberId }));
    const follower = await joining;
    const followerSync = coordinator.sync({ groupId: GROUP, generationId: 2, memberId: follower.memberId, assignments: [] });
    await coordinator.sync({ groupId: GROUP, generationId: 2, memberId: leader.memberId, assignments: [] });
    expect(await followerSync).toEqual({ errorCode: ErrorCode.NONE, assignment: Buffer.alloc(0) });
  });

  it('rebalances when a member leaves, and the group becomes Empty when the last one leaves', async () => {
    const leader = await stableSingleMember();
    const joining = coordinator.join(request());
    await coordinator.join(request({ memberId: leader.memberId }));
    const follower = await joining;
    const followerSync = coordinator.sync({ groupId: GROUP, generationId: 2, memberId: follower.memberId, assignments: [] });
    await coordinator.sync({ groupId: GROUP, generationId: 2, memberId: leader.memberId, assignments: [] });
    await followerSync;

    expect(coordinator.leave(GROUP, [leader.memberId])).toEqual([ErrorCode.NONE]);
    expect(state()).toBe('PreparingRebalance');
    expect(coordinator.heartbeat(GROUP, 2, follower.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoined = await coordinator.join(request({ memberId: follower.memberId }));
    expect(rejoined).toMatchObject({ generationId: 3, leaderId: follower.memberId });
    expect(rejoined.members).toHaveLength(1);

    expect(coordinator.leave(GROUP, [follower.memberId, 'stranger'])).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(state()).toBe('Empty');
    expect(coordinator.describe(GROUP)).toMatchObject({ protocolType: 'consumer', members: [] });
    expect(coordinator.list()).toEqual([{ groupId: GROUP, protocolType: 'consumer' }]);
  });

  it('evicts a member whose session expires and rebalances the rest', async () => {
    const leader = await stableSingleMember();
    const joining = coordinator.join(request());
    await coordinator.join(request({ memberId: leader.memberId }));
    const follower = await joining;
    const followerSync = coordinator.sync({ groupId: GROUP, generationId: 2, memberId: follower.memberId, assignments: [] });
    await coordinator.sync({ groupId: GROUP, generationId: 2, memberId: leader.memberId, assignments: [] });
    await followerSync;

    // The leader keeps heartbeating; the follower goes silent.
    for (let elapsed = 0; elapsed < SESSION + 2000; elapsed += 2000) {
      jest.advanceTimersByTime(2000);
      if (state() === 'Stable') expect(coordinator.heartbeat(GROUP, 2, leader.memberId)).toBe(ErrorCode.NONE);
    }
    expect(state()).toBe('PreparingRebalance');
    expect(coordinator.heartbeat(GROUP, 2, follower.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(coordinator.heartbeat(GROUP, 2, leader.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoined = await coordinator.join(request({ memberId: leader.memberId }));
    expect(rejoined.members.map((m) => m.memberId)).toEqual([leader.memberId]);
  });

  it('drops members that do not rejoin before the rebalance timeout', async () => {
    const leader = await stableSingleMember();
    const joining = coordinator.join(request({ rebalanceTimeoutMs: 5000 }));
    // The leader never rejoins (and is not heartbeating either, but its session is longer than the rebalance).
    coordinator.heartbeat(GROUP, 1, leader.memberId);
    expect(await peek(joining)).toBe(PENDING);
    jest.advanceTimersByTime(REBALANCE + 1);
    const newcomer = await joining;
    expect(newcomer).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leaderId: newcomer.memberId });
    expect(coordinator.heartbeat(GROUP, 2, leader.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('does not expire members while they are parked in JoinGroup', async () => {
    const leader = await stableSingleMember();
    const other = coordinator.join(request({ rebalanceTimeoutMs: 5 * SESSION, sessionTimeoutMs: SESSION }));
    // The newcomer waits in JoinGroup for 3 session timeouts while the leader, slow to rejoin, keeps
    // heartbeating (each answered REBALANCE_IN_PROGRESS, which still counts as liveness).
    for (let elapsed = 0; elapsed < 3 * SESSION; elapsed += SESSION / 2) {
      jest.advanceTimersByTime(SESSION / 2);
      expect(coordinator.heartbeat(GROUP, 1, leader.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    }
    expect(await peek(other)).toBe(PENDING);
    const leaderRejoin = await coordinator.join(request({ memberId: leader.memberId }));
    expect(leaderRejoin.members).toHaveLength(2);
    expect((await other).generationId).toBe(2);
  });

  it('answers parked SyncGroups with REBALANCE_IN_PROGRESS when another rebalance starts', async () => {
    const leader = await stableSingleMember();
    const joining = coordinator.join(request());
    await coordinator.join(request({ memberId: leader.memberId }));
    const follower = await joining;
    const followerSync = coordinator.sync({ groupId: GROUP, generationId: 2, memberId: follower.memberId, assignments: [] });
    expect(await peek(followerSync)).toBe(PENDING);
    const third = coordinator.join(request({ clientId: 'third' }));
    expect(await followerSync).toEqual<SyncResult>({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
    expect(await peek(third)).toBe(PENDING);
  });

  it('returns the errors Kafka returns for stale or unknown members', async () => {
    expect((await coordinator.join(request({ memberId: 'ghost' }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await coordinator.join(request({ groupId: '' }))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await coordinator.join(request({ sessionTimeoutMs: 10 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(coordinator.heartbeat(GROUP, 1, 'ghost')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    const leader = await stableSingleMember();
    expect(coordinator.heartbeat(GROUP, 0, leader.memberId)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await coordinator.sync({ groupId: GROUP, generationId: 7, memberId: leader.memberId, assignments: [] })).errorCode).toBe(
      ErrorCode.ILLEGAL_GENERATION,
    );
    expect((await coordinator.sync({ groupId: GROUP, generationId: 1, memberId: 'ghost', assignments: [] })).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    void coordinator.join(request());
    expect((await coordinator.sync({ groupId: GROUP, generationId: 1, memberId: leader.memberId, assignments: [] })).errorCode).toBe(
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
  });

  it('rejects members with a different protocol type or no protocol in common', async () => {
    await stableSingleMember();
    expect((await coordinator.join(request({ protocolType: 'connect' }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await coordinator.join(request({ protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] }))).errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    expect((await coordinator.join(request({ groupId: 'other', protocols: [] }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(state()).toBe('Stable');
  });

  it('selects the protocol every member supports, by member preference votes', async () => {
    const p = (name: string): { name: string; metadata: Buffer } => ({ name, metadata: Buffer.from(name) });
    const a = coordinator.join(request({ groupId: 'votes', protocols: [p('range'), p('roundrobin')] }));
    const first = await a;
    expect(first.protocolName).toBe('range');
    // Two more members: one prefers roundrobin, one supports only roundrobin. range is no longer common.
    const b = coordinator.join(request({ groupId: 'votes', protocols: [p('roundrobin'), p('range')] }));
    const c = coordinator.join(request({ groupId: 'votes', protocols: [p('roundrobin')] }));
    const leader = await coordinator.join(request({ groupId: 'votes', memberId: first.memberId, protocols: [p('range'), p('roundrobin')] }));
    expect(leader.protocolName).toBe('roundrobin');
    expect((await b).protocolName).toBe('roundrobin');
    expect((await c).protocolName).toBe('roundrobin');
    // The leader gets each member's metadata for the chosen protocol.
    expect(leader.members.map((m) => m.metadata.toString())).toEqual(['roundrobin', 'roundrobin', 'roundrobin']);
  });

  it('lets the majority preference win among common protocols', async () => {
    const p = (name: string): { name: string; metadata: Buffer } => ({ name, metadata: Buffer.alloc(0) });
    const first = await coordinator.join(request({ groupId: 'm', protocols: [p('roundrobin'), p('range')] }));
    const b = coordinator.join(request({ groupId: 'm', protocols: [p('range'), p('roundrobin')] }));
    const c = coordinator.join(request({ groupId: 'm', protocols: [p('range'), p('roundrobin')] }));
    await coordinator.join(request({ groupId: 'm', memberId: first.memberId, protocols: [p('roundrobin'), p('range')] }));
    expect((await b).protocolName).toBe('range');
    expect((await c).protocolName).toBe('range');
  });

  it('replays the current generation to a member that re-sends an unchanged JoinGroup', async () => {
    const joined = await coordinator.join(request());
    const again = await coordinator.join(request({ memberId: joined.memberId }));
    expect(again).toEqual(joined);
    expect(state()).toBe('CompletingRebalance');
  });

  describe('offset commit validation', () => {
    it('allows generation -1 commits only while nobody is consuming', async () => {
      expect(coordinator.validateCommit('unused-group', -1, '')).toBe(ErrorCode.NONE);
      expect(coordinator.validateCommit('unused-group', 3, 'x')).toBe(ErrorCode.ILLEGAL_GENERATION);
      const leader = await stableSingleMember();
      expect(coordinator.validateCommit(GROUP, -1, '')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      coordinator.leave(GROUP, [leader.memberId]);
      expect(coordinator.validateCommit(GROUP, -1, '')).toBe(ErrorCode.NONE);
    });

    it('accepts commits from the current generation, also while a rebalance is being prepared', async () => {
      const leader = await stableSingleMember();
      expect(coordinator.validateCommit(GROUP, 1, leader.memberId)).toBe(ErrorCode.NONE);
      expect(coordinator.validateCommit(GROUP, 0, leader.memberId)).toBe(ErrorCode.ILLEGAL_GENERATION);
      expect(coordinator.validateCommit(GROUP, 1, 'ghost')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      const joining = coordinator.join(request());
      expect(state()).toBe('PreparingRebalance');
      expect(coordinator.validateCommit(GROUP, 1, leader.memberId)).toBe(ErrorCode.NONE);
      await coordinator.join(request({ memberId: leader.memberId }));
      await joining;
      expect(state()).toBe('CompletingRebalance');
      expect(coordinator.validateCommit(GROUP, 2, leader.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    });
  });

  it('answers parked requests and clears its timers on close', async () => {
    await stableSingleMember();
    const parked = coordinator.join(request());
    coordinator.close();
    expect((await parked).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(jest.getTimerCount()).toBe(0);
    expect(coordinator.heartbeat(GROUP, 1, 'x')).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });
});
