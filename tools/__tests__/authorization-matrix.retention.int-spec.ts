import { describeAuthorizationMatrix } from './authorization-matrix';

describeAuthorizationMatrix('retention', () => import('../../apps/retention/src/app.module'));
