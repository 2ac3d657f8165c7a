import { LocalDirectoryStorage } from './local-directory-storage';
import type { ObjectStorage } from './object-storage';
import { S3ObjectStorage } from './s3-object-storage';

/** STORAGE_DRIVER=local (default: a directory, see resolveStorageRoot) or s3 (S3_* variables). */
export function objectStorageFromEnv(env: NodeJS.ProcessEnv = process.env): ObjectStorage {
  const driver = (env.STORAGE_DRIVER ?? 'local').trim().toLowerCase();
  if (driver === 'local') return LocalDirectoryStorage.fromEnv(env);
  if (driver === 's3') return S3ObjectStorage.fromEnv(env);
  throw new Error(`STORAGE_DRIVER must be "local" or "s3", got "${driver}"`);
}
