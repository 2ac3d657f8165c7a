import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler } from './types';

export const findCoordinatorHandler: ApiHandler = {
  apiKey: ApiKey.FindCoordinator,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    const v = ctx.apiVersion;
    request.string(); // key: every group (and transactional id) is coordinated by this node
    if (v >= 1) request.int8(); // key_type
    const { broker } = ctx;
    const writer = new ProtocolWriter();
    if (v >= 1) writer.int32(NO_THROTTLE);
    writer.int16(ErrorCode.NONE);
    if (v >= 1) writer.nullableString(null); // error_message
    writer.int32(broker.nodeId).string(broker.options.advertisedHost).int32(broker.port);
    return Promise.resolve(writer);
  },
};
