// Tracing lives in @offboarding/telemetry, which a service loads before anything else (its
// instrument.ts) so the instrumentations see every module; the platform re-exports it.
export * from '@offboarding/telemetry';
