import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler } from './types';

export const leaveGroupHandler: ApiHandler = {
  apiKey: ApiKey.LeaveGroup,
  // v3 turns the single member into a batch of members; v4+ is flexible.
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, request) {
    const v = ctx.apiVersion;
    const groupId = request.string();
    const members =
      v >= 3
        ? request.array((m) => ({ memberId: m.string(), groupInstanceId: m.nullableString() }))
        : [{ memberId: request.string(), groupInstanceId: null }];
    const errors = ctx.broker.groups.leave(
      groupId,
      members.map((m) => m.memberId),
    );
    const writer = new ProtocolWriter();
    if (v >= 1) writer.int32(NO_THROTTLE);
    if (v < 3) return Promise.resolve(writer.int16(errors[0] ?? ErrorCode.NONE));
    const topLevel = errors.every((e) => e === ErrorCode.COORDINATOR_NOT_AVAILABLE) && errors.length > 0;
    writer.int16(topLevel ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.NONE);
    const results = members.map((m, i) => ({ ...m, errorCode: errors[i] }));
    writer.array(results, (w, m) => w.string(m.memberId).nullableString(m.groupInstanceId).int16(m.errorCode));
    return Promise.resolve(writer);
  },
};
