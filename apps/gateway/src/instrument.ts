// Loaded first by main.ts: tracing starts before any other module, so the pg and HTTP
// instrumentations wrap those modules before anything holds on to their functions.
import { initTracing } from '@offboarding/telemetry';

initTracing('gateway');
