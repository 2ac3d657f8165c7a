import { registerEnumType } from '@nestjs/graphql';
import { LicenseStatus } from '@offboarding/contracts';

registerEnumType(LicenseStatus, { name: 'LicenseStatus' });
