import type { Readable } from 'node:stream';

/** What a completed write stored: the bytes counted and hashed while they were written. */
export interface StoredObject {
  key: string;
  size: number;
  /** Lower-case hex SHA-256 of the stored bytes. */
  sha256: string;
}

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
}

export interface DownloadUrlOptions {
  /** How long the link works. */
  expiresInSeconds: number;
  /** The file name the browser saves it under. */
  filename: string;
  contentType: string;
}

export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(readonly key: string) {
    super(`no stored object under "${key}"`);
  }
}

export class InvalidObjectKeyError extends Error {
  override readonly name = 'InvalidObjectKeyError';
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`invalid object key ${JSON.stringify(key)}: ${problem}`);
  }
}

/**
 * Where services keep files they produce (environment exports, data exports): a local directory
 * in embedded mode, S3-compatible object storage in production. Keys are slash-separated relative
 * paths; a write is all or nothing, so a reader never sees half an object.
 *
 * An abstract class rather than an interface so it can be the Nest injection token.
 */
export abstract class ObjectStorage {
  /** Streams `body` into the object, hashing and counting as it writes; replaces an existing object. */
  abstract put(key: string, body: Readable | Buffer): Promise<StoredObject>;
  /** The object's bytes; throws ObjectNotFoundError when there is none. */
  abstract get(key: string): Promise<Readable>;
  /** Size and modification time, or null when there is no such object. */
  abstract stat(key: string): Promise<ObjectInfo | null>;
  /** Removes the object; true when it existed. Deleting a missing object is not an error. */
  abstract delete(key: string): Promise<boolean>;
  abstract exists(key: string): Promise<boolean>;
  /**
   * A short-lived URL where clients fetch the object straight from the store (Range requests
   * included), or null when the store has none (a local directory): then the service streams it.
   */
  downloadUrl(_key: string, _options: DownloadUrlOptions): Promise<string | null> {
    return Promise.resolve(null);
  }
}
