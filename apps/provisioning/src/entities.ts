import { LicenseEntity } from './licenses/license.entity';

export const entities = [LicenseEntity];
