import { internalAuthHeaders } from '../auth/internal-token';
import { MaskingKeys } from './masking';

/** Where the masking keys are read (ServiceConfig.maskingKeys: RETENTION_INTERNAL_URL, MASKING_KEY_TIMEOUT_MS, INTERNAL_API_TOKEN). */
export interface MaskingKeySource {
  /** Base URL of the retention service's internal endpoints, without a trailing slash. */
  retentionInternalUrl: string;
  maskingKeyTimeoutMs: number;
  /** The token of service-to-service calls. A secret: never logged. */
  internalApiToken: string;
}

export class MaskingKeyUnavailableError extends Error {
  override readonly name = 'MaskingKeyUnavailableError';
}

/**
 * Fetches an organization's masking key from the retention service, which owns the keys and
 * destroys them once every service confirmed:
 * `GET ${RETENTION_INTERNAL_URL}/internal/masking-keys/<ref>` answering `{ "key": "<base64>" }`.
 * That endpoint arrives with the retention service's masking issue; until then a masking request
 * fails here, is retried and ends on the dead-letter topic, from where it can be replayed.
 * The key is never logged or stored.
 */
export class HttpMaskingKeys extends MaskingKeys {
  constructor(
    private readonly config: MaskingKeySource,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    super();
  }

  async resolve(maskingKeyRef: string): Promise<Buffer> {
    const url = `${this.config.retentionInternalUrl}/internal/masking-keys/${encodeURIComponent(maskingKeyRef)}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, { headers: { accept: 'application/json', ...internalAuthHeaders(this.config.internalApiToken) }, signal: AbortSignal.timeout(this.config.maskingKeyTimeoutMs) });
    } catch (error) {
      throw new MaskingKeyUnavailableError(`masking key ${maskingKeyRef}: retention service unreachable (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!response.ok) throw new MaskingKeyUnavailableError(`masking key ${maskingKeyRef}: retention service answered ${response.status}`);
    const body = (await response.json().catch(() => null)) as { key?: unknown } | null;
    if (typeof body?.key !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(body.key)) {
      throw new MaskingKeyUnavailableError(`masking key ${maskingKeyRef}: the answer holds no base64 key`);
    }
    const key = Buffer.from(body.key, 'base64');
    if (key.length < 32) throw new MaskingKeyUnavailableError(`masking key ${maskingKeyRef}: shorter than 256 bits`);
    return key;
  }
}
