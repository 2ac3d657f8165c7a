import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, type JWK, SignJWT } from 'jose';

export interface TestTokenOptions {
  role: 'ADMIN' | 'COLLABORATOR' | 'PARTNER_USER';
  organizationId?: string | null;
  userId?: string;
  sessionId?: string;
  /** Seconds from now; negative for an expired token. Default 300. */
  expiresIn?: number;
  audience?: string;
  issuer?: string;
  /** Sign with a key the JWKS does not publish (an unknown kid). */
  unknownKey?: boolean;
}

/**
 * A stand-in for the identity service in tests of other services and of the gateway: serves a
 * JWKS and the revocation feed over HTTP, and mints access tokens the way identity does (ES256,
 * issuer and audience `offboarding`, claims sub/org/roles/sid).
 */
export class TestIdentity {
  private readonly revoked: { sessionId: string; reason: string; accessExpiresAt: string }[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly baseUrl: string,
    private readonly key: { kid: string; privateKey: KeyObject },
    private readonly jwk: JWK,
  ) {}

  static async start(): Promise<TestIdentity> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = `test-${randomUUID().slice(0, 8)}`;
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    let identity: TestIdentity | null = null;
    const server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/.well-known/jwks.json')) {
        res.end(JSON.stringify({ keys: [jwk] }));
      } else if (req.url?.startsWith('/internal/revoked-sessions')) {
        res.end(JSON.stringify({ asOf: new Date().toISOString(), sessions: identity?.revoked ?? [] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    identity = new TestIdentity(server, `http://127.0.0.1:${port}`, { kid, privateKey }, jwk);
    return identity;
  }

  /** IDENTITY_URL for a service or gateway under test. */
  get graphqlUrl(): string {
    return `${this.baseUrl}/graphql`;
  }

  /** JWT_SIGNING_KEYS for an identity service that should sign with this stand-in's key. */
  get signingKeysJson(): string {
    return JSON.stringify([{ kid: this.key.kid, privateKeyPem: this.key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }]);
  }

  get publicJwk(): JWK {
    return this.jwk;
  }

  async token(options: TestTokenOptions): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const key = options.unknownKey ? { kid: 'not-published', privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey } : this.key;
    return new SignJWT({
      org: options.organizationId ?? null,
      roles: [options.role],
      sid: options.sessionId ?? randomUUID(),
    })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .setSubject(options.userId ?? randomUUID())
      .setIssuer(options.issuer ?? 'offboarding')
      .setAudience(options.audience ?? 'offboarding')
      .setIssuedAt(now - 10)
      .setExpirationTime(now + (options.expiresIn ?? 300))
      .sign(key.privateKey);
  }

  /** `Authorization` header value for a token with these options. */
  async bearer(options: TestTokenOptions): Promise<string> {
    return `Bearer ${await this.token(options)}`;
  }

  revoke(sessionId: string, reason = 'ADMIN'): void {
    this.revoked.push({ sessionId, reason, accessExpiresAt: new Date(Date.now() + 3_600_000).toISOString() });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
