export * from './database-target';
export * from './embedded-postgres';
export * from './data-source';
export * from './migration-helpers';
export * from './migrate-command';
