import { ApiKey } from '../protocol/api-keys';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler } from './types';

export const syncGroupHandler: ApiHandler = {
  apiKey: ApiKey.SyncGroup,
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, request) {
    const v = ctx.apiVersion;
    const groupId = request.string();
    const generationId = request.int32();
    const memberId = request.string();
    if (v >= 3) request.nullableString(); // group_instance_id: static membership is not supported
    const assignments = request.array((a) => ({ memberId: a.string(), assignment: Buffer.from(a.bytes()) }));
    const result = await ctx.broker.groups.sync({ groupId, generationId, memberId, assignments });
    const writer = new ProtocolWriter();
    if (v >= 1) writer.int32(NO_THROTTLE);
    return writer.int16(result.errorCode).bytes(result.assignment);
  },
};
