export * from './organization-scope';
export * from './purge-request';
export * from './purge-plan';
export * from './purge-runner';
export * from './pii';
export * from './purge-requests.migration';
