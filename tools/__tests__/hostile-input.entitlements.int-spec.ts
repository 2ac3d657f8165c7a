import { describeHostileInput } from './hostile-input';

describeHostileInput('entitlements', () => import('../../apps/entitlements/src/app.module'));
