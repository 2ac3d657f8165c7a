export * from './object-storage';
export * from './storage-keys';
export * from './local-directory-storage';
