import { describeHostileInput } from './hostile-input';

describeHostileInput('identity', () => import('../../apps/identity/src/app.module'));
