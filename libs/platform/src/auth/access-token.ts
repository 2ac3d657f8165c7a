import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { z } from 'zod';
import { ErrorCode } from '../errors/domain-error';
import { type Caller, type AuthContext, Role, ROLES } from './caller';
import { revocationRefusal, type RevocationList } from './revocation-list';

/** Issuer and audience of every access token; checked wherever a token is verified. */
export const TOKEN_ISSUER = 'offboarding';
export const TOKEN_AUDIENCE = 'offboarding';
/** ECDSA P-256: small signatures, supported by every JOSE library. */
export const ACCESS_TOKEN_ALGORITHM = 'ES256';

/** The claims of an access token besides iss/aud/iat/exp. */
export interface AccessTokenClaims {
  /** The user id. */
  sub: string;
  /** The user's organization; null for staff. */
  org: string | null;
  roles: Role[];
  /** The session the token belongs to; revoking it refuses the token at the gateway. */
  sid: string;
}

export interface VerifiedAccessToken {
  caller: Caller & { sessionId: string };
  expiresAt: Date;
}

const claims = z.object({
  sub: z.uuid(),
  org: z.uuid().nullable(),
  roles: z.array(z.enum(ROLES as [Role, ...Role[]])).min(1),
  sid: z.uuid(),
  exp: z.number(),
});

/** A presented access token that does not verify; `message` says why, without the token. */
export class AccessTokenError extends Error {
  override readonly name = 'AccessTokenError';
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'access token expired: refresh the session or sign in again';
  if (error instanceof errors.JWKSNoMatchingKey) return 'access token is signed with an unknown key (kid)';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'access token signature is invalid';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.claim === 'aud' ? 'access token is for another audience' : `access token claim "${error.claim}" is invalid`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return `access tokens must be signed with ${ACCESS_TOKEN_ALGORITHM}`;
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error instanceof TypeError) {
    return 'access token could not be verified: the signing keys are unavailable';
  }
  return 'access token is malformed';
}

/** Verifies signature, issuer, audience and expiry, and reads the caller from the claims. */
export async function verifyAccessToken(token: string, keys: JWTVerifyGetKey): Promise<VerifiedAccessToken> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: 5,
    }));
  } catch (error) {
    throw new AccessTokenError(reasonOf(error));
  }
  const parsed = claims.safeParse(payload);
  if (!parsed.success) throw new AccessTokenError('access token claims are incomplete (sub, org, roles, sid)');
  const { sub, org, roles, sid, exp } = parsed.data;
  const role = roles.includes(Role.ADMIN) ? Role.ADMIN : roles[0];
  // A non-staff role without an organization could never be scoped: refuse it outright.
  if (role !== Role.ADMIN && org === null) throw new AccessTokenError(`access token of a ${role} names no organization`);
  return { caller: { actorId: sub, role, organizationId: org, sessionId: sid }, expiresAt: new Date(exp * 1000) };
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value ?? '');
  return match ? match[1] : null;
}

/** How a service checks access tokens: subgraphs through the identity service's JWKS, identity with its own keys. */
export abstract class AccessTokenVerifier {
  abstract verify(token: string): Promise<VerifiedAccessToken>;

  /** The GraphQL context's view of a request's Authorization header. */
  async authenticate(authorization: string | string[] | undefined): Promise<AuthContext> {
    const token = bearerToken(authorization);
    if (!token) {
      const present = Array.isArray(authorization) ? authorization.length > 0 : Boolean(authorization);
      return { caller: null, authError: present ? 'the Authorization header must be "Bearer <access token>"' : null };
    }
    try {
      return { caller: (await this.verify(token)).caller, authError: null };
    } catch (error) {
      if (error instanceof AccessTokenError) return { caller: null, authError: error.message };
      throw error;
    }
  }
}

/** Verifies against a JWKS URL; keys are cached and fetched again when a token names an unknown kid. */
export class JwksAccessTokenVerifier extends AccessTokenVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(readonly jwksUrl: string) {
    super();
    this.keys = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 5_000 });
  }

  verify(token: string): Promise<VerifiedAccessToken> {
    return verifyAccessToken(token, this.keys);
  }
}

/**
 * What the GraphQL context carries once the session is checked too: a token whose session was
 * revoked has no caller (UNAUTHENTICATED, or FORBIDDEN for an archived organization, saying why),
 * and until the list has loaded no token is trusted (SERVICE_UNAVAILABLE, fail closed).
 */
export function withSessionCheck(auth: AuthContext, revocations: RevocationList): AuthContext {
  const sessionId = auth.caller?.sessionId;
  if (!sessionId) return auth;
  if (!revocations.ready) {
    return { caller: null, authError: 'the session revocation list is not loaded yet; retry shortly', authErrorCode: ErrorCode.SERVICE_UNAVAILABLE };
  }
  const reason = revocations.reasonFor(sessionId);
  if (!reason) return auth;
  const refusal = revocationRefusal(reason);
  return { caller: null, authError: refusal.message, authErrorCode: refusal.code, authErrorDetails: { reason } };
}
