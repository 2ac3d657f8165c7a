import { checkSignedLink, signedLinkUrl, signLink, type SignedLinkCheck } from '@offboarding/storage';

export type LinkCheck = SignedLinkCheck;

/**
 * Signed, expiring download links of data exports: `…/exports/<id>/download?expires=<unix seconds>&signature=<hex>`
 * where the signature is HMAC-SHA-256 over `<id>.<expires>` with EXPORT_URL_SECRET (libs/storage
 * signed links). A valid signature past its expiry is refused as expired.
 */
export function signDownload(secret: string, exportId: string, expiresAtSeconds: number): string {
  return signLink(secret, exportId, expiresAtSeconds);
}

export function downloadUrl(baseUrl: string, secret: string, exportId: string, expiresAt: Date): string {
  return signedLinkUrl(baseUrl, `/exports/${encodeURIComponent(exportId)}/download`, secret, exportId, expiresAt);
}

export function checkDownload(secret: string, exportId: string, expires: string | undefined, signature: string | undefined, now: Date): LinkCheck {
  return checkSignedLink(secret, exportId, expires, signature, now);
}
