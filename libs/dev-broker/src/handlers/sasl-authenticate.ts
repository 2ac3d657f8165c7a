import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import { SaslAuthenticationError } from '../security/sasl';
import type { ApiHandler } from './types';

/** Sessions never expire (no re-authentication, KIP-368): a lifetime of 0 says so. */
const UNLIMITED_SESSION = 0;

/**
 * Carries the SASL exchange chosen by SaslHandshake. A failed exchange is answered with
 * SASL_AUTHENTICATION_FAILED and its reason, then the connection closes, as Kafka does.
 */
export const saslAuthenticateHandler: ApiHandler = {
  apiKey: ApiKey.SaslAuthenticate,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request) {
    const token = request.bytes();
    const { session } = ctx;
    const answer = (errorCode: ErrorCode, message: string | null, bytes: Buffer) => {
      const writer = new ProtocolWriter().int16(errorCode).nullableString(message).bytes(bytes);
      if (ctx.apiVersion >= 1) writer.int64(UNLIMITED_SESSION);
      return Promise.resolve(writer);
    };
    if (session.pending === null || session.expectsRawToken) {
      session.endAfterReply();
      return answer(ErrorCode.ILLEGAL_SASL_STATE, 'SaslAuthenticate without a preceding SaslHandshake v1', Buffer.alloc(0));
    }
    try {
      const step = session.step(token);
      if (step.principal !== undefined) {
        ctx.broker.options.logger.info('client authenticated', { client: ctx.clientHost, mechanism: session.mechanism, user: step.principal });
      }
      return answer(ErrorCode.NONE, null, step.response);
    } catch (error) {
      if (!(error instanceof SaslAuthenticationError)) throw error;
      ctx.broker.options.logger.warn('SASL authentication failed', { client: ctx.clientHost, mechanism: session.mechanism, reason: error.message });
      return answer(ErrorCode.SASL_AUTHENTICATION_FAILED, error.message, Buffer.alloc(0));
    }
  },
};
