import { z } from 'zod';
import { SecretBox } from './secret-box';
import { signingKeySourceFromEnv, type SigningKeySource } from './signing-keys';

/** The identity service's own settings (the shared ones are in loadServiceConfig). */
export interface IdentityConfig {
  nodeEnv: 'development' | 'test' | 'production';
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Where development keys are kept when JWT_SIGNING_KEYS is not set (never in production). */
  dataDir: string;
  /** The seeded staff admin's password, outside production only. */
  adminPassword: string;
  adminPasswordGiven: boolean;
  /** The public origin (the gateway's): password-setup links point at `<publicBaseUrl>/set-password`. */
  publicBaseUrl: string;
  /** How long a password-setup link works. */
  passwordSetupTtlHours: number;
  signInThrottle: SignInThrottleConfig;
  /** JWT_SIGNING_KEYS (and where a development key is kept). */
  signingKeys: SigningKeySource;
  /** ENCRYPTION_KEYS: seals SSO connection secrets. */
  secretBox: SecretBox;
}

/** When failed sign-ins lock an account or a client address, and for how long. */
export interface SignInThrottleConfig {
  /** Failed attempts on one account (e-mail) before it is locked. */
  accountFailures: number;
  /** Failed attempts from one client address, over every account, before it is locked. */
  addressFailures: number;
  /** The first lock; each further failure after a lock doubles it. */
  lockSeconds: number;
  maxLockSeconds: number;
  /** Failures are forgotten after this long without an attempt (and no lock). */
  windowSeconds: number;
}

export const SEEDED_ADMIN_EMAIL = 'admin@offboarding.local';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(365 * 86_400).default(30 * 86_400),
  DATA_DIR: z.string().min(1).default('.data'),
  ADMIN_PASSWORD: z.string().min(1).optional(),
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4000'),
  PASSWORD_SETUP_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(72),
  SIGN_IN_LOCK_AFTER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  SIGN_IN_ADDRESS_LOCK_AFTER_FAILURES: z.coerce.number().int().min(1).max(100_000).default(50),
  SIGN_IN_LOCK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
  SIGN_IN_MAX_LOCK_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(900),
  SIGN_IN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(30 * 86_400).default(3600),
});

/** Read once at start-up; a bad value stops the service with a message naming the variable. */
export function loadIdentityConfig(env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid identity configuration: ${problems.join('; ')}`);
  }
  const values = result.data;
  let secretBox: SecretBox;
  try {
    secretBox = SecretBox.fromEnv(env);
  } catch (error) {
    throw new Error(`invalid identity configuration: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    signingKeys: signingKeySourceFromEnv(env),
    secretBox,
    nodeEnv: values.NODE_ENV,
    accessTokenTtlSeconds: values.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: values.REFRESH_TOKEN_TTL_SECONDS,
    dataDir: values.DATA_DIR,
    adminPassword: values.ADMIN_PASSWORD ?? 'admin',
    adminPasswordGiven: values.ADMIN_PASSWORD !== undefined,
    publicBaseUrl: values.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    passwordSetupTtlHours: values.PASSWORD_SETUP_TTL_HOURS,
    signInThrottle: {
      accountFailures: values.SIGN_IN_LOCK_AFTER_FAILURES,
      addressFailures: values.SIGN_IN_ADDRESS_LOCK_AFTER_FAILURES,
      lockSeconds: values.SIGN_IN_LOCK_SECONDS,
      maxLockSeconds: Math.max(values.SIGN_IN_MAX_LOCK_SECONDS, values.SIGN_IN_LOCK_SECONDS),
      windowSeconds: values.SIGN_IN_FAILURE_WINDOW_SECONDS,
    },
  };
}
