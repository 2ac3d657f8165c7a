import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import type { Kafka, KafkaConfig, SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';

/**
 * A value that must never reach a log line: it prints as `[redacted]` however it is formatted
 * (JSON, util.inspect, template strings); only `reveal()` gives it out.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return '[redacted]';
  }
}

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** How the services reach a Kafka cluster that wants TLS and/or SASL. Secrets stay wrapped. */
export interface KafkaSecurity {
  /** null: plain TCP. */
  tls: {
    /** PEM CA certificates the broker's certificate must chain to; absent: the system's trust store. */
    ca?: string;
    /** Client certificate and key (PEM) for mutual TLS. */
    cert?: string;
    key?: Secret;
    /** Passphrase of an encrypted key. */
    keyPassword?: Secret;
    /** For log lines: the client certificate's subject. */
    certSubject?: string;
  } | null;
  /** null: no SASL. */
  sasl: { mechanism: KafkaSaslMechanism; username: string; password: Secret } | null;
}

export const NO_KAFKA_SECURITY: KafkaSecurity = { tls: null, sasl: null };

/** A Kafka setting is wrong or unusable; the message starts with the variable's name. */
export class KafkaSettingsError extends Error {
  override readonly name = 'KafkaSettingsError';
}

const TRUE_FALSE = new Set(['true', 'false']);

/**
 * Reads and checks the Kafka security settings once, at start-up:
 *
 * | variable | meaning |
 * | --- | --- |
 * | `KAFKA_SSL` | `true`: TLS to the brokers (implied by any of the files below) |
 * | `KAFKA_SSL_CA_FILE` / `KAFKA_SSL_CA` | CA certificates (PEM) to trust instead of the system's |
 * | `KAFKA_SSL_CERT_FILE` / `KAFKA_SSL_CERT` | client certificate (PEM) for mutual TLS |
 * | `KAFKA_SSL_KEY_FILE` / `KAFKA_SSL_KEY` | its private key (PEM) |
 * | `KAFKA_SSL_KEY_PASSWORD_FILE` / `KAFKA_SSL_KEY_PASSWORD` | the key's passphrase, if encrypted |
 * | `KAFKA_SASL_MECHANISM` | `plain`, `scram-sha-256` or `scram-sha-512` |
 * | `KAFKA_SASL_USERNAME_FILE` / `KAFKA_SASL_USERNAME` | SASL user |
 * | `KAFKA_SASL_PASSWORD_FILE` / `KAFKA_SASL_PASSWORD` | its password |
 *
 * A `_FILE` variable names a file to read (a mounted Kubernetes Secret); setting both forms is
 * an error. Certificates and keys are parsed, a key must match its certificate, an expired
 * certificate is refused. In production PLAIN without TLS is refused (it sends the password in
 * clear text). Every problem is a KafkaSettingsError that names the variable.
 */
export function kafkaSecurityFromEnv(env: NodeJS.ProcessEnv, options: { production?: boolean; now?: Date } = {}): KafkaSecurity {
  /** A setting given inline (NAME) or as a file to read (NAME_FILE), never both. */
  const value = (name: string, inline: string | undefined, fileSetting: string | undefined): { text: string; from: string } | undefined => {
    const file = fileSetting?.trim();
    if (inline !== undefined && inline !== '' && file) throw new KafkaSettingsError(`${name} and ${name}_FILE: set one of them, not both`);
    if (file) {
      try {
        return { text: readFileSync(file, 'utf8'), from: `${name}_FILE` };
      } catch (error) {
        throw new KafkaSettingsError(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
    }
    return inline !== undefined && inline !== '' ? { text: inline, from: name } : undefined;
  };
  const now = options.now ?? new Date();

  const sslFlag = env.KAFKA_SSL?.trim().toLowerCase();
  if (sslFlag !== undefined && sslFlag !== '' && !TRUE_FALSE.has(sslFlag)) throw new KafkaSettingsError(`KAFKA_SSL: must be true or false, got "${env.KAFKA_SSL}"`);
  const ca = value('KAFKA_SSL_CA', env.KAFKA_SSL_CA, env.KAFKA_SSL_CA_FILE);
  const cert = value('KAFKA_SSL_CERT', env.KAFKA_SSL_CERT, env.KAFKA_SSL_CERT_FILE);
  const key = value('KAFKA_SSL_KEY', env.KAFKA_SSL_KEY, env.KAFKA_SSL_KEY_FILE);
  const keyPassword = value('KAFKA_SSL_KEY_PASSWORD', env.KAFKA_SSL_KEY_PASSWORD, env.KAFKA_SSL_KEY_PASSWORD_FILE);
  const tlsFiles = [ca, cert, key, keyPassword].filter((setting) => setting !== undefined);
  if (sslFlag === 'false' && tlsFiles.length > 0) throw new KafkaSettingsError(`KAFKA_SSL: false, but ${tlsFiles[0].from} is set`);
  let tls: KafkaSecurity['tls'] = null;
  if (sslFlag === 'true' || tlsFiles.length > 0) {
    tls = {};
    if (ca) {
      const certificates = pemBlocks(ca.text, 'CERTIFICATE');
      if (certificates.length === 0) throw new KafkaSettingsError(`${ca.from}: no PEM certificate ("-----BEGIN CERTIFICATE-----") found`);
      for (const pem of certificates) checkCertificate(pem, ca.from, now);
      tls.ca = certificates.join('\n');
    }
    if ((cert === undefined) !== (key === undefined)) {
      throw new KafkaSettingsError(cert ? `KAFKA_SSL_KEY_FILE: required with ${cert.from} (mutual TLS needs the certificate and its key)` : `KAFKA_SSL_CERT_FILE: required with ${key!.from}`);
    }
    if (keyPassword && !key) throw new KafkaSettingsError(`${keyPassword.from}: set only with KAFKA_SSL_KEY_FILE`);
    if (cert && key) {
      const [leaf, ...chain] = pemBlocks(cert.text, 'CERTIFICATE');
      if (!leaf) throw new KafkaSettingsError(`${cert.from}: no PEM certificate ("-----BEGIN CERTIFICATE-----") found`);
      const certificate = checkCertificate(leaf, cert.from, now);
      for (const pem of chain) checkCertificate(pem, cert.from, now);
      let privateKey;
      try {
        privateKey = createPrivateKey({ key: key.text, passphrase: keyPassword?.text });
      } catch (error) {
        const reason = (error as Error).message;
        if (/passphrase|decrypt|bad decrypt/i.test(reason)) {
          throw new KafkaSettingsError(`${keyPassword ? keyPassword.from : 'KAFKA_SSL_KEY_PASSWORD'}: cannot decrypt ${key.from} (${reason})`);
        }
        throw new KafkaSettingsError(`${key.from}: not a readable private key (${reason})`);
      }
      if (!certificate.checkPrivateKey(privateKey)) throw new KafkaSettingsError(`${key.from}: the key does not belong to the certificate in ${cert.from}`);
      tls.cert = cert.text;
      tls.key = new Secret(key.text);
      if (keyPassword) tls.keyPassword = new Secret(keyPassword.text);
      tls.certSubject = certificate.subject.replace(/\n/g, ', ');
    }
  }

  const mechanismSetting = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  const username = value('KAFKA_SASL_USERNAME', env.KAFKA_SASL_USERNAME, env.KAFKA_SASL_USERNAME_FILE);
  const password = value('KAFKA_SASL_PASSWORD', env.KAFKA_SASL_PASSWORD, env.KAFKA_SASL_PASSWORD_FILE);
  let sasl: KafkaSecurity['sasl'] = null;
  if (mechanismSetting) {
    if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(mechanismSetting)) {
      throw new KafkaSettingsError(`KAFKA_SASL_MECHANISM: must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}, got "${env.KAFKA_SASL_MECHANISM}"`);
    }
    const name = username?.text.trim();
    if (!name) throw new KafkaSettingsError(`KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM=${mechanismSetting}`);
    // A file written by a secret store often ends with a newline that is not part of the password.
    const secret = password?.from.endsWith('_FILE') ? password.text.replace(/\r?\n$/, '') : password?.text;
    if (!secret) throw new KafkaSettingsError(`KAFKA_SASL_PASSWORD: required with KAFKA_SASL_MECHANISM=${mechanismSetting}`);
    const mechanism = mechanismSetting as KafkaSaslMechanism;
    if (mechanism === 'plain' && tls === null && options.production) {
      throw new KafkaSettingsError('KAFKA_SASL_MECHANISM: plain sends the password in clear text; set KAFKA_SSL=true or use scram-sha-512');
    }
    sasl = { mechanism, username: name, password: new Secret(secret) };
  } else if (username || password) {
    throw new KafkaSettingsError(`KAFKA_SASL_MECHANISM: required with ${(username ?? password)!.from}`);
  }
  return { tls, sasl };
}

function pemBlocks(text: string, label: string): string[] {
  const pattern = new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`, 'g');
  return text.match(pattern) ?? [];
}

function checkCertificate(pem: string, setting: string, now: Date): X509Certificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (error) {
    throw new KafkaSettingsError(`${setting}: not a readable certificate (${(error as Error).message})`);
  }
  if (new Date(certificate.validTo).getTime() < now.getTime()) {
    throw new KafkaSettingsError(`${setting}: the certificate "${certificate.subject.replace(/\n/g, ', ')}" expired on ${certificate.validTo}`);
  }
  return certificate;
}

/** The kafkajs options for these settings (the only place secrets are revealed). */
export function kafkaJsSecurity(security: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const config: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security.tls) {
    const { ca, cert, key, keyPassword } = security.tls;
    const tls: ConnectionOptions = {};
    if (ca) tls.ca = [ca];
    if (cert && key) {
      tls.cert = cert;
      tls.key = key.reveal();
      if (keyPassword) tls.passphrase = keyPassword.reveal();
    }
    config.ssl = Object.keys(tls).length > 0 ? tls : true;
  }
  if (security.sasl) {
    config.sasl = { mechanism: security.sasl.mechanism, username: security.sasl.username, password: security.sasl.password.reveal() } as SASLOptions;
  }
  return config;
}

/** Kafka's name for the connection, with what it uses, for the start-up log line (no secrets). */
export function describeKafkaSecurity(security: KafkaSecurity): Record<string, string> {
  const protocol = security.tls ? (security.sasl ? 'SASL_SSL' : 'SSL') : security.sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
  const description: Record<string, string> = { securityProtocol: protocol };
  if (security.tls) {
    description.trust = security.tls.ca ? 'custom CA' : 'system CAs';
    if (security.tls.certSubject) description.clientCertificate = security.tls.certSubject;
  }
  if (security.sasl) {
    description.saslMechanism = security.sasl.mechanism.toUpperCase();
    description.saslUser = security.sasl.username;
  }
  return description;
}

interface ErrorLike {
  name?: string;
  type?: string;
  message?: string;
  code?: string;
  cause?: unknown;
  originalError?: unknown;
}

/** Every error in a kafkajs chain (retries wrap the connection error). */
function chain(error: unknown): ErrorLike[] {
  const seen: ErrorLike[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.includes(current) && seen.length < 10) {
    const item = current as ErrorLike;
    seen.push(item);
    current = item.originalError ?? item.cause;
  }
  return seen;
}

const UNTRUSTED_BROKER = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/**
 * What a failed connection says about the settings: the variable to look at and why, or null
 * when the failure is not a configuration problem (a broker that is down, a network timeout).
 */
export function explainKafkaFailure(error: unknown, security: KafkaSecurity, brokers: readonly string[]): string | null {
  const errors = chain(error);
  const codes = errors.map((item) => item.code ?? '');
  const text = errors.map((item) => item.message ?? '').join(' | ');
  const caSetting = security.tls?.ca ? 'KAFKA_SSL_CA_FILE' : 'KAFKA_SSL_CA_FILE (not set: only the system CAs are trusted)';
  if (errors.some((item) => item.type === 'UNSUPPORTED_SASL_MECHANISM') || /mechanism is not supported/i.test(text)) {
    return `KAFKA_SASL_MECHANISM: the broker does not offer ${security.sasl?.mechanism.toUpperCase()} (${text})`;
  }
  if (errors.some((item) => item.name === 'KafkaJSSASLAuthenticationError')) {
    return `KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD: the broker refused the credentials of "${security.sasl?.username}" (${errors[errors.length - 1].message})`;
  }
  if (codes.some((code) => UNTRUSTED_BROKER.has(code))) return `${caSetting}: the broker's certificate is not trusted (${text})`;
  if (codes.includes('CERT_HAS_EXPIRED')) return `KAFKA_BROKERS: the broker's certificate has expired (${text})`;
  if (codes.includes('ERR_TLS_CERT_ALTNAME_INVALID')) return `KAFKA_BROKERS: the broker's certificate is not valid for ${brokers.join(', ')} (${text})`;
  if (/alert certificate required|alert handshake failure/i.test(text) && security.tls && !security.tls.cert) {
    return `KAFKA_SSL_CERT_FILE / KAFKA_SSL_KEY_FILE: the broker requires a client certificate (mutual TLS) (${text})`;
  }
  if (/alert (unknown ca|bad certificate|certificate unknown|decrypt error)/i.test(text) && security.tls?.cert) {
    return `KAFKA_SSL_CERT_FILE: the broker does not accept the client certificate "${security.tls.certSubject}" (${text})`;
  }
  if (codes.includes('ERR_SSL_WRONG_VERSION_NUMBER') || /wrong version number|packet length too long|before secure TLS connection was established/i.test(text)) {
    return `KAFKA_SSL: the broker does not speak TLS on ${brokers.join(', ')} (${text})`;
  }
  // What follows is read from a connection the broker closed without saying why.
  const closed = errors.some((item) => item.name === 'KafkaJSConnectionClosedError');
  if (closed && security.tls?.cert) {
    // With TLS 1.3 the client finishes its handshake before the broker checks the certificate.
    return `KAFKA_SSL_CERT_FILE: the broker closed the connection right after the TLS handshake, as a broker requiring mutual TLS does when it does not accept the client certificate "${security.tls.certSubject}" (${text})`;
  }
  if (closed && !security.tls && !security.sasl) {
    return `KAFKA_SSL / KAFKA_SASL_MECHANISM: the broker closed the connection to ${brokers.join(', ')}: it probably requires TLS (KAFKA_SSL=true) or SASL authentication (${text})`;
  }
  return null;
}

/**
 * Connects once and asks the cluster to describe itself, so wrong credentials and untrusted
 * certificates stop the start with an error naming the setting instead of retry logs forever.
 */
export async function verifyKafkaConnection(kafka: Kafka, security: KafkaSecurity, brokers: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    const explanation = explainKafkaFailure(error, security, brokers);
    if (explanation) throw new KafkaSettingsError(explanation);
    throw error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
