import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler } from './types';

export const describeGroupsHandler: ApiHandler = {
  apiKey: ApiKey.DescribeGroups,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    const v = ctx.apiVersion;
    const groupIds = request.array((r) => r.string());
    const { groups, offsets } = ctx.broker;
    const descriptions = groupIds.map(
      (groupId) =>
        groups.describe(groupId) ?? {
          groupId,
          // A group known only through committed offsets is Empty; a group nobody ever used is Dead.
          state: offsets.all(groupId).length > 0 ? 'Empty' : 'Dead',
          protocolType: '',
          protocolName: '',
          members: [],
        },
    );
    const writer = new ProtocolWriter();
    if (v >= 1) writer.int32(NO_THROTTLE);
    writer.array(descriptions, (w, g) => {
      w.int16(ErrorCode.NONE).string(g.groupId).string(g.state).string(g.protocolType).string(g.protocolName);
      w.array(g.members, (mw, m) => {
        mw.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment);
      });
    });
    return Promise.resolve(writer);
  },
};
