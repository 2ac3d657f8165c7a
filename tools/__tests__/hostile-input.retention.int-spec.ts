import { describeHostileInput } from './hostile-input';

describeHostileInput('retention', () => import('../../apps/retention/src/app.module'));
