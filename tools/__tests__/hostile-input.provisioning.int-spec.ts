import { describeHostileInput } from './hostile-input';

describeHostileInput('provisioning', () => import('../../apps/provisioning/src/app.module'));
