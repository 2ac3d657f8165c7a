export * from './object-storage';
export * from './storage-keys';
export * from './local-directory-storage';
export * from './s3-object-storage';
export * from './storage-from-env';
export * from './signed-link';
