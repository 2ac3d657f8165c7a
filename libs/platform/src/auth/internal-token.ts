import { timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { ServiceConfig } from '../config/service-config';
import { SERVICE_CONFIG } from '../nest/tokens';

/** Header that carries the shared token on service-to-service calls (export, masking keys). */
export const INTERNAL_TOKEN_HEADER = 'x-offboarding-internal-token';

/** Outside production a fixed development token; in production INTERNAL_API_TOKEN is required. */
const DEVELOPMENT_TOKEN = 'development-internal-token';

/** INTERNAL_API_TOKEN as a loader reads it (the gateway's; a subgraph's is ServiceConfig.internalApiToken). */
export function internalApiToken(env: { NODE_ENV?: string; INTERNAL_API_TOKEN?: string }): string {
  const token = env.INTERNAL_API_TOKEN?.trim();
  if (token) {
    if (token.length < 32) throw new Error('INTERNAL_API_TOKEN must be at least 32 characters');
    return token;
  }
  if (env.NODE_ENV === 'production') throw new Error('INTERNAL_API_TOKEN is required in production');
  return DEVELOPMENT_TOKEN;
}

/** Headers for a call to another service's /internal endpoints, carrying the configured token. */
export function internalAuthHeaders(token: string): Record<string, string> {
  return { [INTERNAL_TOKEN_HEADER]: token };
}

export function isInternalToken(presented: string | undefined, token: string): boolean {
  if (!presented) return false;
  const expected = Buffer.from(token);
  const actual = Buffer.from(presented);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Guards an HTTP controller meant for other services only. */
@Injectable()
export class InternalTokenGuard implements CanActivate {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const header = request.headers[INTERNAL_TOKEN_HEADER];
    if (!isInternalToken(Array.isArray(header) ? header[0] : header, this.config.internalApiToken)) {
      throw new UnauthorizedException(`internal endpoint: missing or wrong ${INTERNAL_TOKEN_HEADER}`);
    }
    return true;
  }
}
