import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkCheck = 'valid' | 'tampered' | 'expired';

/**
 * Signed, expiring download links: `…/exports/<id>/download?expires=<unix seconds>&signature=<hex>`
 * where the signature is HMAC-SHA-256 over `<id>.<expires>` with EXPORT_URL_SECRET. Changing the
 * id or the expiry breaks the signature; a valid signature past its expiry is refused as expired.
 */
export function signDownload(secret: string, exportId: string, expiresAtSeconds: number): string {
  return createHmac('sha256', secret).update(`${exportId}.${expiresAtSeconds}`, 'utf8').digest('hex');
}

export function downloadUrl(baseUrl: string, secret: string, exportId: string, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return `${baseUrl}/exports/${encodeURIComponent(exportId)}/download?expires=${expires}&signature=${signDownload(secret, exportId, expires)}`;
}

/** Tampering is checked first: an altered link is refused as such even when it is also old. */
export function checkDownload(secret: string, exportId: string, expires: string | undefined, signature: string | undefined, now: Date): LinkCheck {
  if (!expires || !/^\d{1,12}$/.test(expires) || !signature || !/^[0-9a-f]{64}$/.test(signature)) return 'tampered';
  const expected = Buffer.from(signDownload(secret, exportId, Number(expires)), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'tampered';
  return Number(expires) * 1000 < now.getTime() ? 'expired' : 'valid';
}
