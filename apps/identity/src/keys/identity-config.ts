import { z } from 'zod';

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
});

/** Read once at start-up; a bad value stops the service with a message naming the variable. */
export function loadIdentityConfig(env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid identity configuration: ${problems.join('; ')}`);
  }
  const values = result.data;
  return {
    nodeEnv: values.NODE_ENV,
    accessTokenTtlSeconds: values.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: values.REFRESH_TOKEN_TTL_SECONDS,
    dataDir: values.DATA_DIR,
    adminPassword: values.ADMIN_PASSWORD ?? 'admin',
    adminPasswordGiven: values.ADMIN_PASSWORD !== undefined,
    publicBaseUrl: values.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    passwordSetupTtlHours: values.PASSWORD_SETUP_TTL_HOURS,
  };
}
