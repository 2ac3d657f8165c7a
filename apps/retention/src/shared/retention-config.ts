import { z } from 'zod';
import { ConfigError } from '@offboarding/platform';
import { storageSettingsFromEnv, StorageSettingsError, type StorageSettings } from '@offboarding/storage';

export const RETENTION_CONFIG = Symbol('RETENTION_CONFIG');

/** Outside production only: signed links still work on a developer's machine without setup. */
const DEVELOPMENT_URL_SECRET = 'development-export-url-secret-not-for-production';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  EXPORT_URL_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  EXPORT_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(86_400),
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4000'),
  ENTITLEMENTS_INTERNAL_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4001'),
  PROVISIONING_INTERNAL_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4002'),
  IDENTITY_INTERNAL_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4003'),
  INTERNAL_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(600_000),
  CONFIRMATION_GRACE_HOURS: z.coerce.number().int().min(0).max(24 * 30).default(24),
  MILESTONE_NOTICE_DAYS: z
    .string()
    .regex(/^\s*\d{1,3}\s*(,\s*\d{1,3}\s*)*$/, 'must be a comma-separated list of whole days, e.g. "7,1"')
    .default('7,1')
    .transform((value) => [...new Set(value.split(',').map((part) => Number(part.trim())))].sort((a, b) => b - a))
    .refine((days) => days.every((day) => day >= 1 && day <= 365), 'every notice must be 1 to 365 days ahead'),
});

export type { StorageSettings };

export interface RetentionConfig {
  /** HMAC key of the signed download links. A secret: never logged. */
  exportUrlSecret: string;
  exportUrlTtlSeconds: number;
  /** Where clients reach this service's /exports/:id/download. */
  publicBaseUrl: string;
  /** Each data-holding service's internal base URL (its /internal/export endpoint). */
  internalUrls: Record<'entitlements' | 'provisioning' | 'identity', string>;
  internalRequestTimeoutMs: number;
  /** How long a requested milestone may wait for its confirmation before it shows BLOCKED. */
  confirmationGraceHours: number;
  /** Days ahead of a milestone the customer must hear about that `milestone_upcoming` goes out, largest first. */
  milestoneNoticeDays: number[];
  /**
   * Where export archives go: a local directory (embedded mode; downloads stream through this
   * service) or S3-compatible storage (downloads redirect to a presigned URL).
   */
  storage: StorageSettings;
}

/** Reads the retention-specific settings once at start-up; a bad or missing value names its variable. */
export function loadRetentionConfig(env: NodeJS.ProcessEnv = process.env): RetentionConfig {
  const result = schema.safeParse(env);
  const problems = result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`);
  if (result.success && result.data.NODE_ENV === 'production' && !result.data.EXPORT_URL_SECRET) {
    problems.push('EXPORT_URL_SECRET: required in production');
  }
  let storage: StorageSettings | null = null;
  try {
    storage = storageSettingsFromEnv(env);
  } catch (error) {
    if (!(error instanceof StorageSettingsError)) throw error;
    problems.push(error.message);
  }
  if (!result.success || problems.length > 0 || storage === null) throw new ConfigError(`invalid configuration for retention: ${problems.join('; ')}`);
  const values = result.data;
  const trim = (value: string) => value.replace(/\/+$/, '');
  return {
    exportUrlSecret: values.EXPORT_URL_SECRET ?? DEVELOPMENT_URL_SECRET,
    exportUrlTtlSeconds: values.EXPORT_URL_TTL_SECONDS,
    publicBaseUrl: trim(values.PUBLIC_BASE_URL),
    internalUrls: {
      entitlements: trim(values.ENTITLEMENTS_INTERNAL_URL),
      provisioning: trim(values.PROVISIONING_INTERNAL_URL),
      identity: trim(values.IDENTITY_INTERNAL_URL),
    },
    internalRequestTimeoutMs: values.INTERNAL_REQUEST_TIMEOUT_MS,
    confirmationGraceHours: values.CONFIRMATION_GRACE_HOURS,
    milestoneNoticeDays: values.MILESTONE_NOTICE_DAYS,
    storage,
  };
}
