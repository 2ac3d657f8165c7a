import { LocalDirectoryStorage } from './local-directory-storage';
import type { ObjectStorage } from './object-storage';
import { MIN_PART_SIZE, S3ObjectStorage } from './s3-object-storage';

/**
 * The object storage a service is configured for: `STORAGE_DRIVER=local` (default; STORAGE_DIR
 * or <DATA_DIR>/storage) or `s3` (S3_ENDPOINT, S3_BUCKET, S3_REGION, S3_ACCESS_KEY_ID,
 * S3_SECRET_ACCESS_KEY, S3_FORCE_PATH_STYLE, S3_PART_SIZE_BYTES, S3_REQUEST_TIMEOUT_MS).
 * Every problem names its variable; a container with a read-only file system needs `s3`.
 */
export function objectStorageFromEnv(env: NodeJS.ProcessEnv = process.env): ObjectStorage {
  const driver = env.STORAGE_DRIVER ?? 'local';
  if (driver === 'local') return LocalDirectoryStorage.fromEnv(env);
  if (driver !== 's3') throw new Error(`STORAGE_DRIVER: must be local or s3, got "${driver}"`);
  const required = (name: string, value: string | undefined) => {
    if (!value?.trim()) throw new Error(`${name}: required when STORAGE_DRIVER=s3`);
    return value.trim();
  };
  const number = (name: string, value: string | undefined, fallback: number, min: number) => {
    const parsed = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new Error(`${name}: must be a whole number ≥ ${min}`);
    return parsed;
  };
  const endpoint = required('S3_ENDPOINT', env.S3_ENDPOINT);
  if (!/^https?:\/\//.test(endpoint)) throw new Error('S3_ENDPOINT: must be an http(s) URL');
  return new S3ObjectStorage({
    endpoint: endpoint.replace(/\/+$/, ''),
    bucket: required('S3_BUCKET', env.S3_BUCKET),
    region: env.S3_REGION?.trim() || 'us-east-1',
    accessKeyId: required('S3_ACCESS_KEY_ID', env.S3_ACCESS_KEY_ID),
    secretAccessKey: required('S3_SECRET_ACCESS_KEY', env.S3_SECRET_ACCESS_KEY),
    forcePathStyle: (env.S3_FORCE_PATH_STYLE ?? 'true') === 'true',
    partSizeBytes: number('S3_PART_SIZE_BYTES', env.S3_PART_SIZE_BYTES, 8 * 1024 * 1024, MIN_PART_SIZE),
    requestTimeoutMs: number('S3_REQUEST_TIMEOUT_MS', env.S3_REQUEST_TIMEOUT_MS, 60_000, 1_000),
  });
}
