export * from './domain';
export * from './events/topics';
export * from './events/catalog';
