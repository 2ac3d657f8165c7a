import { z } from 'zod';
import { ConfigError } from '@offboarding/platform';

export const PROVISIONING_CONFIG = Symbol('PROVISIONING_CONFIG');

const schema = z.object({
  RETENTION_INTERNAL_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4004'),
  MASKING_KEY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  ENVIRONMENT_REGION: z.string().min(1).max(50).default('eu-central-1'),
  ENVIRONMENT_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+$/, 'must be a DNS domain')
    .default('env.offboarding.localhost'),
  AFFILIATE_LANDING_URL: z.url({ protocol: /^https?$/ }).default('https://www.example.com/'),
  EDU_SEATS_PER_ENTITLEMENT: z.coerce.number().int().min(1).max(10_000).default(10),
});

export interface ProvisioningConfig {
  /** Base URL of the retention service's internal API (masking keys). */
  retentionInternalUrl: string;
  maskingKeyTimeoutMs: number;
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
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration for provisioning: ${problems.join('; ')}`);
  }
  const values = result.data;
  return {
    retentionInternalUrl: values.RETENTION_INTERNAL_URL.replace(/\/+$/, ''),
    maskingKeyTimeoutMs: values.MASKING_KEY_TIMEOUT_MS,
    environmentRegion: values.ENVIRONMENT_REGION,
    environmentDomain: values.ENVIRONMENT_DOMAIN,
    affiliateLandingUrl: values.AFFILIATE_LANDING_URL,
    eduSeatsPerEntitlement: values.EDU_SEATS_PER_ENTITLEMENT,
  };
}
