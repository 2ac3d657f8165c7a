import { ApiKey } from '../protocol/api-keys';
import { ErrorCode, KafkaError } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler } from './types';

export const deleteTopicsHandler: ApiHandler = {
  apiKey: ApiKey.DeleteTopics,
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, request) {
    const names = request.array((r) => r.string());
    request.int32(); // timeout_ms
    const { topics, offsets } = ctx.broker;
    const results: Array<{ name: string; errorCode: ErrorCode }> = [];
    for (const name of names) {
      try {
        await topics.delete(name);
        await offsets.deleteTopic(name);
        results.push({ name, errorCode: ErrorCode.NONE });
      } catch (error) {
        if (!(error instanceof KafkaError)) throw error;
        results.push({ name, errorCode: error.code });
      }
    }
    const writer = new ProtocolWriter();
    if (ctx.apiVersion >= 1) writer.int32(NO_THROTTLE);
    writer.array(results, (w, r) => w.string(r.name).int16(r.errorCode));
    return writer;
  },
};
