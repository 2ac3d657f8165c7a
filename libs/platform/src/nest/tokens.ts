/** Injection tokens for values that are not classes. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const LOGGER = Symbol('LOGGER');
/**
 * The run mode bootstrap chose (`RunMode`), provided by bootstrap's root module; without it the
 * service serves. Read it as SERVICE_CONFIG.run.
 */
export const RUN_MODE = Symbol('RUN_MODE');
