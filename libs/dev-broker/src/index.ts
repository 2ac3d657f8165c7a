export { startDevBroker, type DevBroker } from './server';
export type { DevBrokerOptions, DevBrokerTlsOptions, Logger } from './options';
export { SASL_MECHANISMS, type SaslMechanism, type SaslOptions } from './security/sasl';
