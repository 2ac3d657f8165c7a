import { describeAuthorizationMatrix } from './authorization-matrix';

describeAuthorizationMatrix('provisioning', () => import('../../apps/provisioning/src/app.module'));
