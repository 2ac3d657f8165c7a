export { startDevBroker, type DevBroker } from './server';
export type { DevBrokerOptions, Logger } from './options';
