import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler } from './types';

export const listGroupsHandler: ApiHandler = {
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx) {
    const { groups, offsets } = ctx.broker;
    const listed = new Map<string, string>();
    // Groups that only have committed offsets (e.g. after a restart) still exist for Kafka.
    for (const groupId of offsets.groupIds()) listed.set(groupId, '');
    for (const g of groups.list()) if (g.protocolType !== '' || !listed.has(g.groupId)) listed.set(g.groupId, g.protocolType);
    const writer = new ProtocolWriter();
    if (ctx.apiVersion >= 1) writer.int32(NO_THROTTLE);
    writer.int16(ErrorCode.NONE);
    writer.array([...listed.entries()], (w, [groupId, protocolType]) => w.string(groupId).string(protocolType));
    return Promise.resolve(writer);
  },
};
