export * from './export-exclusion';
export * from './organization-data';
export * from './organization-export.controller';
export * from './organization-export.module';
