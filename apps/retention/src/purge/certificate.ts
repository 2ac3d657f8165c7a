import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit-trail/audit-chain';

/** The SHA-256 a deletion certificate carries: over its canonical JSON, so anyone can recompute it. */
export function certificateHash(content: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
