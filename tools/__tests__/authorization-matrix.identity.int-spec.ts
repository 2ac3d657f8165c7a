import { describeAuthorizationMatrix } from './authorization-matrix';

describeAuthorizationMatrix('identity', () => import('../../apps/identity/src/app.module'));
