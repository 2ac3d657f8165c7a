import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignedLinkCheck = 'valid' | 'tampered' | 'expired';

/**
 * Signed, expiring download links for stored objects: `<base><path>?expires=<unix seconds>&signature=<hex>`,
 * the signature an HMAC-SHA-256 over `<resource>.<expires>` with a secret only the issuing service
 * knows. `resource` names what the link opens (an export's id; other kinds prefix theirs, so a
 * link of one kind never opens another). Changing the resource or the expiry breaks the signature.
 */
export function signLink(secret: string, resource: string, expiresAtSeconds: number): string {
  return createHmac('sha256', secret).update(`${resource}.${expiresAtSeconds}`, 'utf8').digest('hex');
}

export function signedLinkUrl(baseUrl: string, path: string, secret: string, resource: string, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return `${baseUrl}${path}?expires=${expires}&signature=${signLink(secret, resource, expires)}`;
}

/** Tampering is checked first: an altered link is refused as such even when it is also old. */
export function checkSignedLink(secret: string, resource: string, expires: string | undefined, signature: string | undefined, now: Date): SignedLinkCheck {
  if (!expires || !/^\d{1,12}$/.test(expires) || !signature || !/^[0-9a-f]{64}$/.test(signature)) return 'tampered';
  const expected = Buffer.from(signLink(secret, resource, Number(expires)), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'tampered';
  return Number(expires) * 1000 < now.getTime() ? 'expired' : 'valid';
}
