import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** The SASL mechanisms the broker can authenticate, named as Kafka names them. */
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface SaslOptions {
  /** User name → password. */
  users: Readonly<Record<string, string>>;
  /** Mechanisms offered in the SaslHandshake answer; default all of SASL_MECHANISMS. */
  mechanisms?: readonly SaslMechanism[];
  /** PBKDF2 iterations of the SCRAM credentials; default 4096, the minimum clients accept. */
  scramIterations?: number;
}

/** Where salts and server nonces come from; replaceable so tests can replay RFC examples. */
export interface SaslEntropy {
  salt(): Buffer;
  serverNonce(): string;
}

const RANDOM: SaslEntropy = {
  salt: () => randomBytes(16),
  serverNonce: () => randomBytes(18).toString('base64url'),
};

/** The client's credentials or messages were wrong; the broker answers SASL_AUTHENTICATION_FAILED. */
export class SaslAuthenticationError extends Error {
  override readonly name = 'SaslAuthenticationError';
}

/** One step of an exchange: the bytes to send back, and the user once the exchange succeeded. */
export interface SaslStep {
  response: Buffer;
  /** Set on the final step: the authenticated user. */
  principal?: string;
}

/** The server side of one authentication exchange on one connection. */
export interface SaslExchange {
  step(token: Buffer): SaslStep;
}

const SCRAM_HASHES = { 'SCRAM-SHA-256': { hash: 'sha256', length: 32 }, 'SCRAM-SHA-512': { hash: 'sha512', length: 64 } } as const;
type ScramMechanism = keyof typeof SCRAM_HASHES;

/** What a SCRAM server stores per user (RFC 5802 §3): never the password itself. */
interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

function hmac(hash: string, key: Buffer, data: string): Buffer {
  return createHmac(hash, key).update(data).digest();
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Compares two strings in time independent of where they differ. */
function sameSecret(a: string, b: string): boolean {
  return sameBytes(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * The users the broker accepts and the mechanisms it offers. SCRAM credentials (salted, iterated)
 * are derived once when the broker starts, as a Kafka cluster stores them in its metadata.
 */
export class SaslAuthenticator {
  readonly mechanisms: readonly SaslMechanism[];
  private readonly passwords: ReadonlyMap<string, string>;
  private readonly scram = new Map<ScramMechanism, Map<string, ScramCredential>>();

  constructor(
    options: SaslOptions,
    private readonly entropy: SaslEntropy = RANDOM,
  ) {
    const users = Object.entries(options.users);
    if (users.length === 0) throw new Error('sasl.users: at least one user is needed');
    for (const [name, password] of users) {
      if (name === '' || password === '') throw new Error('sasl.users: user names and passwords must not be empty');
    }
    this.mechanisms = options.mechanisms ?? SASL_MECHANISMS;
    for (const mechanism of this.mechanisms) {
      if (!SASL_MECHANISMS.includes(mechanism)) throw new Error(`sasl.mechanisms: unknown mechanism ${String(mechanism)}`);
    }
    const iterations = options.scramIterations ?? 4096;
    this.passwords = new Map(users);
    for (const mechanism of Object.keys(SCRAM_HASHES) as ScramMechanism[]) {
      if (!this.mechanisms.includes(mechanism)) continue;
      const { hash, length } = SCRAM_HASHES[mechanism];
      const credentials = new Map<string, ScramCredential>();
      for (const [name, password] of users) {
        const salt = entropy.salt();
        const salted = pbkdf2Sync(password, salt, iterations, length, hash);
        const clientKey = hmac(hash, salted, 'Client Key');
        credentials.set(name, {
          salt,
          iterations,
          storedKey: createHash(hash).update(clientKey).digest(),
          serverKey: hmac(hash, salted, 'Server Key'),
        });
      }
      this.scram.set(mechanism, credentials);
    }
  }

  offers(mechanism: string): mechanism is SaslMechanism {
    return (this.mechanisms as readonly string[]).includes(mechanism);
  }

  begin(mechanism: SaslMechanism): SaslExchange {
    if (mechanism === 'PLAIN') return new PlainExchange(this.passwords);
    return new ScramExchange(mechanism, this.scram.get(mechanism)!, this.entropy);
  }
}

/** RFC 4616: one message, `authzid NUL authcid NUL password`. */
class PlainExchange implements SaslExchange {
  constructor(private readonly passwords: ReadonlyMap<string, string>) {}

  step(token: Buffer): SaslStep {
    const parts = token.toString('utf8').split('\u0000');
    if (parts.length !== 3) throw new SaslAuthenticationError('Invalid SASL/PLAIN message: expected authzid NUL username NUL password');
    const [authorizationId, username, password] = parts;
    const expected = this.passwords.get(username);
    // The same comparison runs for unknown users, so the answer's timing names no user.
    const matches = sameSecret(password, expected ?? `${password}\u0000unknown`);
    if (expected === undefined || !matches) throw new SaslAuthenticationError('Authentication failed: Invalid username or password');
    if (authorizationId !== '' && authorizationId !== username) {
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username');
    }
    return { response: Buffer.alloc(0), principal: username };
  }
}

/** RFC 5802 / RFC 7677 server, as Kafka runs it (no channel binding, Kafka's `tokenauth` extension ignored). */
class ScramExchange implements SaslExchange {
  private state: 'first' | 'final' | 'done' = 'first';
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private clientNonce = '';
  private username = '';
  private credential: ScramCredential | undefined;

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly credentials: ReadonlyMap<string, ScramCredential>,
    private readonly entropy: SaslEntropy,
  ) {}

  step(token: Buffer): SaslStep {
    const message = token.toString('utf8');
    switch (this.state) {
      case 'first':
        return this.clientFirst(message);
      case 'final':
        return this.clientFinal(message);
      case 'done':
        throw new SaslAuthenticationError('SCRAM exchange already completed');
    }
  }

  private fail(reason: string): never {
    this.state = 'done';
    throw new SaslAuthenticationError(reason);
  }

  private invalidCredentials(): never {
    return this.fail(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`);
  }

  /** `gs2-header client-first-message-bare`, e.g. `n,,n=user,r=nonce`. */
  private clientFirst(message: string): SaslStep {
    const match = /^([ny]),(a=[^,]*)?,(n=([^,]*),r=([^,]+)(?:,.*)?)$/.exec(message);
    if (!match) {
      if (message.startsWith('p=')) this.fail('Invalid SCRAM client first message: channel binding is not supported');
      this.fail('Invalid SCRAM client first message');
    }
    const [, , authorization, bare, encodedUser, clientNonce] = match;
    this.gs2Header = message.slice(0, message.length - bare.length);
    this.clientFirstBare = bare;
    const username = decodeSaslName(encodedUser);
    if (username === null) this.fail('Invalid SCRAM client first message: malformed user name');
    const authorizationId = authorization ? decodeSaslName(authorization.slice(2)) : '';
    if (authorizationId !== '' && authorizationId !== username) {
      this.fail('Authentication failed: Client requested an authorization id that is different from username');
    }
    this.credential = this.credentials.get(username);
    if (!this.credential) this.fail('Authentication failed: Invalid user credentials');
    this.username = username;
    this.clientNonce = clientNonce;
    this.nonce = clientNonce + this.entropy.serverNonce();
    this.serverFirst = `r=${this.nonce},s=${this.credential.salt.toString('base64')},i=${this.credential.iterations}`;
    this.state = 'final';
    return { response: Buffer.from(this.serverFirst, 'utf8') };
  }

  /** `c=<base64 gs2 header>,r=<nonce>[,extensions],p=<proof>`. */
  private clientFinal(message: string): SaslStep {
    const credential = this.credential!;
    const { hash, length } = SCRAM_HASHES[this.mechanism];
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) this.fail('Invalid SCRAM client final message: no proof');
    const withoutProof = message.slice(0, proofAt);
    const fields = new Map(withoutProof.split(',').map((field) => [field.slice(0, 1), field.slice(2)]));
    if (fields.get('c') !== Buffer.from(this.gs2Header, 'utf8').toString('base64')) this.fail('Invalid SCRAM client final message: channel binding data does not match');
    // RFC 5802 wants the server's nonce echoed. librdkafka before 2.6.1 (Debian's kcat included)
    // prepends its own nonce once more; Kafka 3.8.1–3.9 accept that (they compare with endsWith),
    // so this broker accepts exactly that form too. The proof covers whichever was sent.
    const echoed = fields.get('r');
    if (echoed !== this.nonce && echoed !== this.clientNonce + this.nonce) this.fail('Invalid SCRAM client final message: nonce does not match');
    const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
    if (proof.length !== length) this.invalidCredentials();
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(hash, credential.storedKey, authMessage);
    const clientKey = Buffer.alloc(length);
    for (let i = 0; i < length; i += 1) clientKey[i] = proof[i] ^ clientSignature[i];
    if (!sameBytes(createHash(hash).update(clientKey).digest(), credential.storedKey)) this.invalidCredentials();
    this.state = 'done';
    const serverSignature = hmac(hash, credential.serverKey, authMessage).toString('base64');
    return { response: Buffer.from(`v=${serverSignature}`, 'utf8'), principal: this.username };
  }
}

/** RFC 5802 saslname: `=2C` is a comma, `=3D` an equals sign; any other `=` is malformed. */
function decodeSaslName(value: string): string | null {
  if (/=(?!2C|3D)/.test(value)) return null;
  return value.replace(/=2C/g, ',').replace(/=3D/g, '=');
}
