import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import type { ApiHandler } from './types';

/**
 * Chooses the SASL mechanism of a connection. After v1 the exchange travels in SaslAuthenticate
 * requests (KIP-152), what kafkajs and librdkafka use; after v0 as raw size-prefixed tokens
 * (librdkafka also needs v0 listed before it offers SASL at all). A handshake on a listener
 * without SASL, or after the connection authenticated, answers ILLEGAL_SASL_STATE, as Kafka does.
 */
export const saslHandshakeHandler: ApiHandler = {
  apiKey: ApiKey.SaslHandshake,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request) {
    const mechanism = request.string();
    const { session } = ctx;
    const offered = session.sasl?.mechanisms ?? [];
    const answer = (errorCode: ErrorCode) =>
      Promise.resolve(new ProtocolWriter().int16(errorCode).array(offered, (w, name) => w.string(name)));
    if (session.sasl === null || session.authenticated || session.pending !== null) return answer(ErrorCode.ILLEGAL_SASL_STATE);
    if (!session.sasl.offers(mechanism)) {
      ctx.broker.options.logger.warn('SASL handshake with a mechanism the broker does not offer', { client: ctx.clientHost, mechanism });
      session.endAfterReply();
      return answer(ErrorCode.UNSUPPORTED_SASL_MECHANISM);
    }
    session.begin(mechanism, ctx.apiVersion === 0);
    return answer(ErrorCode.NONE);
  },
};
