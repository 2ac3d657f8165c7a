import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** One AES-256-GCM ciphertext and the id of the key that sealed it. */
export interface SealedSecret {
  keyId: string;
  /** `<iv>.<auth tag>.<ciphertext>`, each base64. */
  ciphertext: string;
}

/**
 * Encrypts secrets at rest (SSO connection strings) with AES-256-GCM. Keys come from
 * ENCRYPTION_KEYS, `kid:base64key` entries separated by commas: the first seals, all open, so
 * keys rotate by putting a new one first and re-encrypting (the `reencrypt-sso-secrets` job).
 * Each ciphertext is bound to its record by associated data, so it cannot be moved to another.
 * Outside production a fixed development key is used when the variable is not set.
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;
  readonly activeKeyId: string;

  constructor(keys: { id: string; key: Buffer }[]) {
    if (keys.length === 0) throw new Error('ENCRYPTION_KEYS: at least one key is needed');
    for (const { id, key } of keys) {
      if (!/^[A-Za-z0-9_-]{1,50}$/.test(id)) throw new Error(`ENCRYPTION_KEYS: key id "${id}" must be 1-50 letters, digits, - or _`);
      if (key.length !== 32) throw new Error(`ENCRYPTION_KEYS: key "${id}" must be 32 bytes (base64 of 256 bits)`);
    }
    this.keys = new Map(keys.map(({ id, key }) => [id, key]));
    this.activeKeyId = keys[0].id;
  }

  /** ENCRYPTION_KEYS, read and checked once by the identity config. */
  static fromEnv(env: NodeJS.ProcessEnv): SecretBox {
    const value = env.ENCRYPTION_KEYS?.trim();
    if (!value) {
      if (env.NODE_ENV === 'production') throw new Error('ENCRYPTION_KEYS is required in production');
      return new SecretBox([{ id: 'dev', key: createHash('sha256').update('offboarding development encryption key').digest() }]);
    }
    return new SecretBox(
      value.split(',').map((entry) => {
        const separator = entry.indexOf(':');
        if (separator < 1) throw new Error('ENCRYPTION_KEYS must be a comma-separated list of kid:base64key');
        return { id: entry.slice(0, separator).trim(), key: Buffer.from(entry.slice(separator + 1).trim(), 'base64') };
      }),
    );
  }

  seal(plaintext: string, associatedData: string): SealedSecret {
    const key = this.keys.get(this.activeKeyId)!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.activeKeyId, ciphertext: [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64')).join('.') };
  }

  open(sealed: SealedSecret, associatedData: string): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) throw new Error(`encryption key "${sealed.keyId}" is not configured (ENCRYPTION_KEYS)`);
    const [iv, tag, ciphertext] = sealed.ciphertext.split('.').map((part) => Buffer.from(part, 'base64'));
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  }
}
