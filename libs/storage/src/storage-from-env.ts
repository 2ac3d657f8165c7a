import { resolveStorageRoot, LocalDirectoryStorage } from './local-directory-storage';
import type { ObjectStorage } from './object-storage';
import { MIN_PART_SIZE, S3ObjectStorage, type S3StorageConfig } from './s3-object-storage';

export type StorageSettings = { driver: 'local'; root: string } | { driver: 's3'; s3: S3StorageConfig; downloadUrlTtlSeconds: number };

export class StorageSettingsError extends Error {
  override readonly name = 'StorageSettingsError';
}

/**
 * Where a service keeps its files, read once at start-up:
 *
 * - `STORAGE_DRIVER=local` (default): a directory, `STORAGE_DIR` or `<DATA_DIR>/storage`.
 * - `STORAGE_DRIVER=s3`: `S3_BUCKET` (required), `S3_REGION` (default `AWS_REGION`, else
 *   us-east-1), `S3_ENDPOINT` for an S3-compatible store (absent: AWS S3), `S3_PUBLIC_ENDPOINT`
 *   for download links when clients reach the store under another name, `S3_FORCE_PATH_STYLE`
 *   (default true with S3_ENDPOINT, false for AWS), `S3_ACCESS_KEY_ID` + `S3_SECRET_ACCESS_KEY`
 *   (+ `S3_SESSION_TOKEN`) for static keys — without them the AWS default credential chain
 *   (environment, web identity, container and instance credentials) — `S3_PART_SIZE_BYTES`,
 *   `S3_REQUEST_TIMEOUT_MS`, `S3_MAX_ATTEMPTS`, `S3_DOWNLOAD_URL_TTL_SECONDS`.
 *
 * Every problem is a StorageSettingsError naming its variable. A container with a read-only root
 * file system needs `s3` (or a mounted volume for `STORAGE_DIR`).
 */
export function storageSettingsFromEnv(env: NodeJS.ProcessEnv): StorageSettings {
  const driver = env.STORAGE_DRIVER?.trim() || 'local';
  if (driver === 'local') return { driver: 'local', root: resolveStorageRoot(env) };
  if (driver !== 's3') throw new StorageSettingsError(`STORAGE_DRIVER: must be local or s3, got "${driver}"`);
  const text = (value: string | undefined) => value?.trim() || undefined;
  const number = (name: string, value: string | undefined, fallback: number, min: number, max: number) => {
    const parsed = value === undefined || value.trim() === '' ? fallback : Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new StorageSettingsError(`${name}: must be a whole number from ${min} to ${max}, got "${value}"`);
    return parsed;
  };
  const url = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    if (!/^https?:\/\/[^/]/.test(value)) throw new StorageSettingsError(`${name}: must be an http(s) URL, got "${value}"`);
    return value.replace(/\/+$/, '');
  };
  const bucket = text(env.S3_BUCKET);
  if (!bucket) throw new StorageSettingsError('S3_BUCKET: required when STORAGE_DRIVER=s3');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new StorageSettingsError(`S3_BUCKET: "${bucket}" is not a valid bucket name`);
  const endpoint = url('S3_ENDPOINT', text(env.S3_ENDPOINT));
  const pathStyle = text(env.S3_FORCE_PATH_STYLE);
  if (pathStyle !== undefined && pathStyle !== 'true' && pathStyle !== 'false') throw new StorageSettingsError(`S3_FORCE_PATH_STYLE: must be true or false, got "${pathStyle}"`);
  const accessKeyId = text(env.S3_ACCESS_KEY_ID);
  const secretAccessKey = text(env.S3_SECRET_ACCESS_KEY);
  const sessionToken = text(env.S3_SESSION_TOKEN);
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    throw new StorageSettingsError(`${accessKeyId ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID'}: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together, or neither to use the default credential chain`);
  }
  if (sessionToken && !accessKeyId) throw new StorageSettingsError('S3_SESSION_TOKEN: only with S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY');
  const s3: S3StorageConfig = {
    bucket,
    region: text(env.S3_REGION) ?? text(env.AWS_REGION) ?? 'us-east-1',
    endpoint,
    publicEndpoint: url('S3_PUBLIC_ENDPOINT', text(env.S3_PUBLIC_ENDPOINT)),
    forcePathStyle: pathStyle === undefined ? endpoint !== undefined : pathStyle === 'true',
    partSizeBytes: number('S3_PART_SIZE_BYTES', env.S3_PART_SIZE_BYTES, 8 * 1024 * 1024, MIN_PART_SIZE, 5 * 1024 * 1024 * 1024),
    requestTimeoutMs: number('S3_REQUEST_TIMEOUT_MS', env.S3_REQUEST_TIMEOUT_MS, 60_000, 1_000, 3_600_000),
    maxAttempts: number('S3_MAX_ATTEMPTS', env.S3_MAX_ATTEMPTS, 5, 1, 20),
  };
  if (accessKeyId && secretAccessKey) {
    const keys = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    s3.credentials = () => Promise.resolve(keys);
  }
  // Short-lived: each click on the service's own signed link makes a fresh one.
  const downloadUrlTtlSeconds = number('S3_DOWNLOAD_URL_TTL_SECONDS', env.S3_DOWNLOAD_URL_TTL_SECONDS, 300, 10, 604_800);
  return { driver: 's3', s3, downloadUrlTtlSeconds };
}

export function objectStorageOf(settings: StorageSettings): ObjectStorage {
  return settings.driver === 's3' ? new S3ObjectStorage(settings.s3) : new LocalDirectoryStorage(settings.root);
}

/** The object storage a service is configured for (see storageSettingsFromEnv). */
export function objectStorageFromEnv(env: NodeJS.ProcessEnv): ObjectStorage {
  return objectStorageOf(storageSettingsFromEnv(env));
}
