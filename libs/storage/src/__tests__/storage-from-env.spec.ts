import { LocalDirectoryStorage, objectStorageFromEnv, S3ObjectStorage, storageSettingsFromEnv } from '..';

describe('storage settings from the environment', () => {
  const s3 = { STORAGE_DRIVER: 's3', S3_ENDPOINT: 'http://minio:9000/', S3_BUCKET: 'exports', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret' };

  it('is a local directory by default and S3 when asked', () => {
    expect(objectStorageFromEnv({ STORAGE_DIR: '/tmp/offboarding-storage-test' })).toBeInstanceOf(LocalDirectoryStorage);
    expect(objectStorageFromEnv(s3)).toBeInstanceOf(S3ObjectStorage);
  });

  it('uses the default credential chain without keys, AWS S3 without an endpoint, and path style only with one', () => {
    const aws = storageSettingsFromEnv({ STORAGE_DRIVER: 's3', S3_BUCKET: 'exports', AWS_REGION: 'eu-west-1' });
    expect(aws).toMatchObject({ driver: 's3', downloadUrlTtlSeconds: 300, s3: { bucket: 'exports', region: 'eu-west-1', endpoint: undefined, forcePathStyle: false, maxAttempts: 5 } });
    expect(aws.driver === 's3' && aws.s3.credentials).toBeUndefined();
    const minio = storageSettingsFromEnv(s3);
    expect(minio).toMatchObject({ s3: { endpoint: 'http://minio:9000', forcePathStyle: true, region: 'us-east-1' } });
    // Static keys are held in a function: printing the settings never shows them.
    expect(JSON.stringify(minio)).not.toContain('secret');
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => objectStorageFromEnv({ STORAGE_DRIVER: 'ftp' })).toThrow(/^STORAGE_DRIVER/);
    expect(() => objectStorageFromEnv({ ...s3, S3_BUCKET: '' })).toThrow(/^S3_BUCKET: required when STORAGE_DRIVER=s3/);
    expect(() => objectStorageFromEnv({ ...s3, S3_BUCKET: 'Not_A_Bucket' })).toThrow(/^S3_BUCKET: "Not_A_Bucket" is not a valid bucket name/);
    expect(() => objectStorageFromEnv({ ...s3, S3_ENDPOINT: 'minio:9000' })).toThrow(/^S3_ENDPOINT/);
    expect(() => objectStorageFromEnv({ ...s3, S3_PUBLIC_ENDPOINT: 'files' })).toThrow(/^S3_PUBLIC_ENDPOINT/);
    expect(() => objectStorageFromEnv({ ...s3, S3_PART_SIZE_BYTES: '1024' })).toThrow(/^S3_PART_SIZE_BYTES/);
    expect(() => objectStorageFromEnv({ ...s3, S3_MAX_ATTEMPTS: '0' })).toThrow(/^S3_MAX_ATTEMPTS/);
    expect(() => objectStorageFromEnv({ ...s3, S3_SECRET_ACCESS_KEY: '' })).toThrow(/^S3_SECRET_ACCESS_KEY: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together/);
    expect(() => objectStorageFromEnv({ ...s3, S3_FORCE_PATH_STYLE: 'yes' })).toThrow(/^S3_FORCE_PATH_STYLE/);
    expect(() => objectStorageFromEnv({ STORAGE_DRIVER: 's3', S3_BUCKET: 'exports', S3_SESSION_TOKEN: 't' })).toThrow(/^S3_SESSION_TOKEN/);
  });
});
