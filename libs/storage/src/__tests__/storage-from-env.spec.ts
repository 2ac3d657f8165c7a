import { LocalDirectoryStorage, objectStorageFromEnv, S3ObjectStorage } from '..';

describe('objectStorageFromEnv', () => {
  const s3 = { STORAGE_DRIVER: 's3', S3_ENDPOINT: 'http://minio:9000/', S3_BUCKET: 'exports', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret' };

  it('is a local directory by default and S3 when asked', () => {
    expect(objectStorageFromEnv({ STORAGE_DIR: '/tmp/offboarding-storage-test' })).toBeInstanceOf(LocalDirectoryStorage);
    expect(objectStorageFromEnv(s3)).toBeInstanceOf(S3ObjectStorage);
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => objectStorageFromEnv({ STORAGE_DRIVER: 'ftp' })).toThrow(/STORAGE_DRIVER/);
    expect(() => objectStorageFromEnv({ ...s3, S3_BUCKET: '' })).toThrow(/S3_BUCKET: required when STORAGE_DRIVER=s3/);
    expect(() => objectStorageFromEnv({ ...s3, S3_ENDPOINT: 'minio:9000' })).toThrow(/S3_ENDPOINT/);
    expect(() => objectStorageFromEnv({ ...s3, S3_PART_SIZE_BYTES: '1024' })).toThrow(/S3_PART_SIZE_BYTES/);
  });
});
