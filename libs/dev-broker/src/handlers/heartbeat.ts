import { ApiKey } from '../protocol/api-keys';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler } from './types';

export const heartbeatHandler: ApiHandler = {
  apiKey: ApiKey.Heartbeat,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, request) {
    const v = ctx.apiVersion;
    const groupId = request.string();
    const generationId = request.int32();
    const memberId = request.string();
    if (v >= 3) request.nullableString(); // group_instance_id
    const errorCode = ctx.broker.groups.heartbeat(groupId, generationId, memberId);
    const writer = new ProtocolWriter();
    if (v >= 1) writer.int32(NO_THROTTLE);
    return Promise.resolve(writer.int16(errorCode));
  },
};
