import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AccessTokenError, type AccessTokenVerifier, bearerToken, type Caller, ErrorCode, revocationRefusal, type RevocationList } from '@offboarding/platform';
import type { CallerRateLimit } from './rate-limiter';

/** What the gateway learned about a request, kept on `res.locals` for the Apollo context. */
export interface RequestAuth {
  caller: Caller | null;
  /** The verified `Authorization` header, forwarded unchanged to the subgraphs. */
  authorization: string | null;
  /** Correlates the gateway's and the subgraphs' log lines of one request. */
  requestId?: string;
  /** The client's address as this gateway sees it, forwarded to the subgraphs as X-Forwarded-For. */
  clientAddress?: string;
}

function refuse(res: Response, status: number, code: ErrorCode, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ errors: [{ message, extensions: { code, ...extra } }] });
}

/**
 * Authenticates every GraphQL request before it reaches Apollo: verifies the bearer token against
 * identity's JWKS (issuer, audience, expiry, signature, kid), refuses a revoked session, then
 * applies the per-caller rate limit. Requests without a token pass as anonymous: only @Public
 * operations (login, refresh) answer them, every subgraph refuses the rest.
 */
export function authenticateRequests(verifier: AccessTokenVerifier, revocations: RevocationList, limiter: CallerRateLimit, logger: Logger) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    let auth: RequestAuth = { caller: null, authorization: null };
    if (header !== undefined) {
      const token = bearerToken(header);
      if (!token) return refuse(res, 401, ErrorCode.UNAUTHENTICATED, 'the Authorization header must be "Bearer <access token>"');
      try {
        const verified = await verifier.verify(token);
        auth = { caller: verified.caller, authorization: `Bearer ${token}` };
      } catch (error) {
        if (error instanceof AccessTokenError) return refuse(res, 401, ErrorCode.UNAUTHENTICATED, error.message);
        logger.error({ err: error }, 'access token verification failed');
        return refuse(res, 503, ErrorCode.SERVICE_UNAVAILABLE, 'access tokens cannot be verified right now');
      }
      if (!revocations.ready) return refuse(res, 503, ErrorCode.SERVICE_UNAVAILABLE, 'the session revocation list is not loaded yet; retry shortly');
      const reason = revocations.reasonFor(auth.caller!.sessionId!);
      if (reason) {
        const refusal = revocationRefusal(reason);
        return refuse(res, refusal.status, refusal.code, refusal.message, { reason });
      }
    }
    // req.ip is the client as TRUST_PROXY allows it to be read from X-Forwarded-For.
    const key = auth.caller ? `user:${auth.caller.actorId}` : `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
    let taken;
    try {
      taken = await limiter.take(key);
    } catch (error) {
      logger.error({ err: error }, 'rate limit could not be checked');
      return refuse(res, 503, ErrorCode.SERVICE_UNAVAILABLE, 'the rate limit cannot be checked right now; retry shortly');
    }
    if (!taken.allowed) {
      res.setHeader('retry-after', String(taken.retryAfterSeconds));
      return refuse(res, 429, ErrorCode.RATE_LIMITED, `too many requests: retry in ${taken.retryAfterSeconds} s`, { retryAfterSeconds: taken.retryAfterSeconds });
    }
    res.locals.auth = auth;
    next();
  };
}
