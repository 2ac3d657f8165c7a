import { z } from 'zod';
import { MaskingKeys } from './masking';

const response = z.object({ key: z.base64() });

/**
 * Fetches an organization's masking key from the retention service, which owns the keys and
 * destroys them once every service confirmed its masking. The key never travels through Kafka.
 */
export class HttpMaskingKeys extends MaskingKeys {
  constructor(private readonly baseUrl: string = process.env.RETENTION_INTERNAL_URL ?? 'http://localhost:4004') {
    super();
  }

  async resolve(maskingKeyRef: string): Promise<Buffer> {
    const url = new URL(`/internal/masking-keys/${encodeURIComponent(maskingKeyRef)}`, this.baseUrl);
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`masking key ${maskingKeyRef}: retention answered ${res.status}`);
    const key = Buffer.from(response.parse(await res.json()).key, 'base64');
    if (key.length < 32) throw new Error(`masking key ${maskingKeyRef} is shorter than 256 bits`);
    return key;
  }
}
