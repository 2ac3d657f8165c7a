import { SystemClock } from '@offboarding/platform';

export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');

/**
 * Wall-clock time for security decisions (token and session lifetimes). Distinct from the
 * injectable Clock, which development tools may move forward.
 */
export class RealTime extends SystemClock {}
