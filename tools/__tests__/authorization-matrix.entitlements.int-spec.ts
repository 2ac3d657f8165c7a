import { describeAuthorizationMatrix } from './authorization-matrix';

describeAuthorizationMatrix('entitlements', () => import('../../apps/entitlements/src/app.module'));
