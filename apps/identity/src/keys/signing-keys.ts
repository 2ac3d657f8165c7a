import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLocalJWKSet, exportJWK, type JWK, type JWTVerifyGetKey, SignJWT } from 'jose';
import { z } from 'zod';
import {
  ACCESS_TOKEN_ALGORITHM,
  type AccessTokenClaims,
  AccessTokenVerifier,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  type VerifiedAccessToken,
  verifyAccessToken,
} from '@offboarding/platform';

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

const keyList = z.array(z.strictObject({ kid: z.string().min(1).max(100), privateKeyPem: z.string().min(1) })).min(1);

export interface SigningKeySource {
  nodeEnv: string;
  /** JWT_SIGNING_KEYS: JSON array of {kid, privateKeyPem} (PKCS#8, P-256); the first signs, all verify. */
  signingKeysJson: string | undefined;
  dataDir: string;
}

export function signingKeySourceFromEnv(env: NodeJS.ProcessEnv): SigningKeySource {
  return { nodeEnv: env.NODE_ENV ?? 'development', signingKeysJson: env.JWT_SIGNING_KEYS, dataDir: env.DATA_DIR ?? '.data' };
}

/** A fresh P-256 key as JWT_SIGNING_KEYS wants it. */
export function generateSigningKey(kid = `key-${randomBytes(4).toString('hex')}`): { kid: string; privateKeyPem: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/**
 * The identity service's token signing keys. The first key signs; every key listed still
 * verifies, so a key is rotated by putting a new one first and dropping the old one once the
 * longest-lived token it signed has expired. Public halves are served at /.well-known/jwks.json.
 * Without JWT_SIGNING_KEYS a development key is generated once and kept under DATA_DIR; in
 * production the service refuses to start without it.
 */
export class SigningKeys {
  private loaded: Promise<SigningKey[]> | null = null;
  private localKeySet: JWTVerifyGetKey | null = null;

  constructor(private readonly source: SigningKeySource) {}

  static fromEnv(env: NodeJS.ProcessEnv): SigningKeys {
    return new SigningKeys(signingKeySourceFromEnv(env));
  }

  static generateEntry(kid?: string): { kid: string; privateKeyPem: string } {
    return generateSigningKey(kid);
  }

  private keys(): Promise<SigningKey[]> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  private async load(): Promise<SigningKey[]> {
    const entries = this.configuredEntries();
    const keys: SigningKey[] = [];
    for (const entry of entries) {
      let privateKey: KeyObject;
      try {
        privateKey = createPrivateKey(entry.privateKeyPem);
      } catch {
        throw new Error(`JWT_SIGNING_KEYS: key "${entry.kid}" is not a PEM private key`);
      }
      if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new Error(`JWT_SIGNING_KEYS: key "${entry.kid}" must be an EC P-256 key (${ACCESS_TOKEN_ALGORITHM})`);
      }
      const publicJwk = await exportJWK(createPublicKey(privateKey));
      keys.push({ kid: entry.kid, privateKey, publicJwk: { ...publicJwk, kid: entry.kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' } });
    }
    return keys;
  }

  private configuredEntries(): { kid: string; privateKeyPem: string }[] {
    if (this.source.signingKeysJson?.trim()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(this.source.signingKeysJson);
      } catch {
        throw new Error('JWT_SIGNING_KEYS must be a JSON array of {"kid", "privateKeyPem"}');
      }
      const result = keyList.safeParse(parsed);
      if (!result.success) throw new Error('JWT_SIGNING_KEYS must be a non-empty JSON array of {"kid", "privateKeyPem"}');
      return result.data;
    }
    if (this.source.nodeEnv === 'production') throw new Error('JWT_SIGNING_KEYS is required in production');
    const file = path.resolve(this.source.dataDir, 'identity', 'jwt-signing-keys.json');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify([generateSigningKey(`dev-${randomBytes(4).toString('hex')}`)]), { mode: 0o600 });
    }
    return keyList.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  }

  /** Fails fast on a bad configuration (called at start-up). */
  async ensureLoaded(): Promise<void> {
    await this.keys();
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.keys()).map((key) => key.publicJwk) };
  }

  async sign(claims: AccessTokenClaims, issuedAt: Date, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const [active] = await this.keys();
    const iat = Math.floor(issuedAt.getTime() / 1000);
    const token = await new SignJWT({ org: claims.org, roles: claims.roles, sid: claims.sid })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: active.kid, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .setJti(randomUUID())
      .sign(active.privateKey);
    return { token, expiresAt: new Date((iat + ttlSeconds) * 1000) };
  }

  async verify(token: string): Promise<VerifiedAccessToken> {
    this.localKeySet ??= createLocalJWKSet(await this.jwks());
    return verifyAccessToken(token, this.localKeySet);
  }
}

/** The identity subgraph verifies tokens with its own keys instead of fetching its own JWKS. */
export class LocalAccessTokenVerifier extends AccessTokenVerifier {
  constructor(private readonly keys: SigningKeys) {
    super();
  }

  verify(token: string): Promise<VerifiedAccessToken> {
    return this.keys.verify(token);
  }
}
