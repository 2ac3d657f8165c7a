import { readFileSync } from 'node:fs';
import type { DevBrokerOptions } from './options';
import { SASL_MECHANISMS, type SaslMechanism } from './security/sasl';

/**
 * The CLI's security settings, all off by default:
 * - `KAFKA_DEV_TLS_CERT_FILE` + `KAFKA_DEV_TLS_KEY_FILE`: serve TLS with this certificate (PEM);
 * - `KAFKA_DEV_TLS_CLIENT_CA_FILE`: also require client certificates signed by these CAs (mutual TLS);
 * - `KAFKA_DEV_SASL_USERS`: `name:password[,name:password…]` require SASL authentication;
 * - `KAFKA_DEV_SASL_MECHANISMS`: offered mechanisms, default `PLAIN,SCRAM-SHA-256,SCRAM-SHA-512`.
 * Every problem names its variable.
 */
export function securityOptionsFromEnv(env: NodeJS.ProcessEnv): Pick<DevBrokerOptions, 'tls' | 'sasl'> {
  const read = (name: string): string | undefined => {
    const file = env[name]?.trim();
    if (!file) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  };
  const options: Pick<DevBrokerOptions, 'tls' | 'sasl'> = {};
  const cert = read('KAFKA_DEV_TLS_CERT_FILE');
  const key = read('KAFKA_DEV_TLS_KEY_FILE');
  const clientCa = read('KAFKA_DEV_TLS_CLIENT_CA_FILE');
  if ((cert === undefined) !== (key === undefined)) throw new Error('KAFKA_DEV_TLS_CERT_FILE and KAFKA_DEV_TLS_KEY_FILE: set both or neither');
  if (clientCa !== undefined && cert === undefined) throw new Error('KAFKA_DEV_TLS_CLIENT_CA_FILE: needs KAFKA_DEV_TLS_CERT_FILE and KAFKA_DEV_TLS_KEY_FILE');
  if (cert !== undefined && key !== undefined) options.tls = { cert, key, ...(clientCa === undefined ? {} : { clientCa }) };

  const users = env.KAFKA_DEV_SASL_USERS?.trim();
  const mechanisms = env.KAFKA_DEV_SASL_MECHANISMS?.trim();
  if (mechanisms && !users) throw new Error('KAFKA_DEV_SASL_MECHANISMS: needs KAFKA_DEV_SASL_USERS');
  if (users) {
    const entries = users.split(',').map((entry) => {
      const colon = entry.indexOf(':');
      if (colon <= 0 || colon === entry.length - 1) throw new Error('KAFKA_DEV_SASL_USERS: expected name:password[,name:password…]');
      return [entry.slice(0, colon).trim(), entry.slice(colon + 1)] as const;
    });
    const offered = mechanisms
      ? mechanisms.split(',').map((name) => {
          const upper = name.trim().toUpperCase();
          if (!(SASL_MECHANISMS as readonly string[]).includes(upper)) {
            throw new Error(`KAFKA_DEV_SASL_MECHANISMS: ${name.trim()} is not one of ${SASL_MECHANISMS.join(', ')}`);
          }
          return upper as SaslMechanism;
        })
      : undefined;
    options.sasl = { users: Object.fromEntries(entries), ...(offered ? { mechanisms: offered } : {}) };
  }
  return options;
}
