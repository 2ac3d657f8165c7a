export * from './wait-for';
export * from './databases';
export * from './kcat';
export * from './access-tokens';
export * from './ports';
export * from './certificates';
export * from './s3';
