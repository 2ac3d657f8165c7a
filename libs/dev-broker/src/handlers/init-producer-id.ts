import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler } from './types';

/**
 * Hands out producer ids for idempotent producers. Transactions are not implemented (no
 * AddPartitionsToTxn/EndTxn), so a transactional id is accepted but gives no transactional guarantees.
 */
export const initProducerIdHandler: ApiHandler = {
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request) {
    request.nullableString(); // transactional_id
    request.int32(); // transaction_timeout_ms
    const writer = new ProtocolWriter()
      .int32(NO_THROTTLE)
      .int16(ErrorCode.NONE)
      .int64(ctx.broker.allocateProducerId())
      .int16(0); // producer_epoch: a fresh id always starts at epoch 0
    return Promise.resolve(writer);
  },
};
