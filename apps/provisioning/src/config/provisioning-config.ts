import { z } from 'zod';
import { ConfigError } from '@offboarding/platform';
import { storageSettingsFromEnv, StorageSettingsError, type StorageSettings } from '@offboarding/storage';

export const PROVISIONING_CONFIG = Symbol('PROVISIONING_CONFIG');

/** Outside production only: signed links still work on a developer's machine without setup. */
const DEVELOPMENT_URL_SECRET = 'development-environment-export-secret-not-for-production';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4000'),
  EXPORT_URL_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  EXPORT_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(86_400),
  ENVIRONMENT_REGION: z.string().min(1).max(50).default('eu-central-1'),
  ENVIRONMENT_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+$/, 'must be a DNS domain')
    .default('env.offboarding.localhost'),
  AFFILIATE_LANDING_URL: z.url({ protocol: /^https?$/ }).default('https://www.example.com/'),
  EDU_SEATS_PER_ENTITLEMENT: z.coerce.number().int().min(1).max(10_000).default(10),
});

export interface ProvisioningConfig {
  /** The public origin (the gateway's): tracking links, plugin downloads and environment-export downloads are on it. */
  publicBaseUrl: string;
  /** HMAC key of the environment-export download links. A secret: never logged. */
  exportUrlSecret: string;
  exportUrlTtlSeconds: number;
  /** Where export artifacts are kept: STORAGE_DRIVER=local (STORAGE_DIR, else DATA_DIR/storage) or s3 (S3_*). */
  storage: StorageSettings;
  /** Region new hosted environments are provisioned in. */
  environmentRegion: string;
  /** Environments are reachable at https://<name>.<environmentDomain>. */
  environmentDomain: string;
  /** Where the tracking link of an affiliate programme's first campaign points. */
  affiliateLandingUrl: string;
  /** Course seats an EDU entitlement provides until entitlements carry a quantity. */
  eduSeatsPerEntitlement: number;
}

/** Reads the provisioning-specific settings once at start-up; a bad value names its variable. */
export function loadProvisioningConfig(env: NodeJS.ProcessEnv = process.env): ProvisioningConfig {
  const result = schema.safeParse(env);
  const problems = result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`);
  let storage: StorageSettings | null = null;
  try {
    storage = storageSettingsFromEnv(env);
  } catch (error) {
    if (!(error instanceof StorageSettingsError)) throw error;
    problems.push(error.message);
  }
  if (result.success && result.data.NODE_ENV === 'production' && !result.data.EXPORT_URL_SECRET) problems.push('EXPORT_URL_SECRET: required in production');
  if (!result.success || problems.length > 0 || storage === null) throw new ConfigError(`invalid configuration for provisioning: ${problems.join('; ')}`);
  const values = result.data;
  return {
    publicBaseUrl: values.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    exportUrlSecret: values.EXPORT_URL_SECRET ?? DEVELOPMENT_URL_SECRET,
    exportUrlTtlSeconds: values.EXPORT_URL_TTL_SECONDS,
    storage,
    environmentRegion: values.ENVIRONMENT_REGION,
    environmentDomain: values.ENVIRONMENT_DOMAIN,
    affiliateLandingUrl: values.AFFILIATE_LANDING_URL,
    eduSeatsPerEntitlement: values.EDU_SEATS_PER_ENTITLEMENT,
  };
}
