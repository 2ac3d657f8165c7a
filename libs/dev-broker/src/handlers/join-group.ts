import { ApiKey } from '../protocol/api-keys';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler } from './types';

export const joinGroupHandler: ApiHandler = {
  apiKey: ApiKey.JoinGroup,
  // v4+ makes new members rejoin with a broker-assigned id (MEMBER_ID_REQUIRED); v6+ is flexible.
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const v = ctx.apiVersion;
    const groupId = request.string();
    const sessionTimeoutMs = request.int32();
    // v0 has no separate rebalance timeout; Kafka uses the session timeout for both.
    const rebalanceTimeoutMs = v >= 1 ? request.int32() : sessionTimeoutMs;
    const memberId = request.string();
    const groupInstanceId = v >= 5 ? request.nullableString() : null;
    const protocolType = request.string();
    const protocols = request.array((p) => ({ name: p.string(), metadata: Buffer.from(p.bytes()) }));

    const result = await ctx.broker.groups.join({
      groupId,
      memberId,
      groupInstanceId,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      protocolType,
      protocols,
      clientId: ctx.clientId,
      clientHost: ctx.clientHost,
      requireKnownMemberId: v >= 4,
    });

    const writer = new ProtocolWriter();
    if (v >= 2) writer.int32(NO_THROTTLE);
    writer.int16(result.errorCode).int32(result.generationId).string(result.protocolName);
    writer.string(result.leaderId).string(result.memberId);
    writer.array(result.members, (w, m) => {
      w.string(m.memberId);
      if (v >= 5) w.nullableString(m.groupInstanceId);
      w.bytes(m.metadata);
    });
    return writer;
  },
};
