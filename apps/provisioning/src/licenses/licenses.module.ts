import { Module } from '@nestjs/common';
import { LicensesEventHandlers } from './licenses.events';
import { OrganizationLicensesResolver } from './licenses.resolver';
import { LicensesService } from './licenses.service';

@Module({
  providers: [LicensesService, LicensesEventHandlers, OrganizationLicensesResolver],
})
export class LicensesModule {}
