import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, rmdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidObjectKeyError, ObjectNotFoundError, ObjectStorage, type ObjectInfo, type StoredObject } from './object-storage';
import { assertValidKey } from './storage-keys';

/** `STORAGE_DIR`, else `storage` under `DATA_DIR` (default `.data`), where the embedded databases live too. */
export function resolveStorageRoot(env: NodeJS.ProcessEnv): string {
  const configured = env.STORAGE_DIR?.trim();
  return configured ? path.resolve(configured) : path.resolve(env.DATA_DIR ?? '.data', 'storage');
}

/** Written-but-not-renamed files; the leading dot keeps them out of every valid key. */
const TEMP_DIR = '.tmp';

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Object storage in a local directory (embedded mode and tests). Each write goes to a temporary
 * file on the same filesystem, is flushed to disk, then renamed over the target, so readers see
 * the old object or the new one, never a partial file. Keys never leave the root.
 */
export class LocalDirectoryStorage extends ObjectStorage {
  readonly root: string;

  constructor(root: string) {
    super();
    this.root = path.resolve(root);
  }

  async put(key: string, body: Readable | Buffer): Promise<StoredObject> {
    const target = this.pathOf(key);
    const tempDir = path.join(this.root, TEMP_DIR);
    await mkdir(tempDir, { recursive: true });
    const temp = path.join(tempDir, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, meter, createWriteStream(temp, { flags: 'wx' }));
      const handle = await open(temp, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await mkdir(path.dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { key, size, sha256: hash.digest('hex') };
  }

  async get(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    if (!(await this.stat(key))) throw new ObjectNotFoundError(key);
    return createReadStream(file);
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { key, size: info.size, lastModified: info.mtime } : null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(key: string): Promise<boolean> {
    const file = this.pathOf(key);
    if (!(await this.exists(key))) return false;
    await rm(file, { force: true });
    await this.removeEmptyParents(path.dirname(file));
    return true;
  }

  /** The file behind a key; refuses any key that would resolve outside the root. */
  private pathOf(key: string): string {
    assertValidKey(key);
    const file = path.resolve(this.root, ...key.split('/'));
    const relative = path.relative(this.root, file);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new InvalidObjectKeyError(key, 'resolves outside the storage root');
    }
    return file;
  }

  /** Deleting the last object of a prefix removes its directories, so purged prefixes leave nothing. */
  private async removeEmptyParents(directory: string): Promise<void> {
    let current = directory;
    while (current !== this.root && current.startsWith(this.root + path.sep)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
      current = path.dirname(current);
    }
  }
}
