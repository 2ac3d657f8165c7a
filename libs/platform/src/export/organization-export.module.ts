import { Module } from '@nestjs/common';
import { OrganizationExportController } from './organization-export.controller';

/** The internal export endpoint every subgraph serves (PlatformModule imports it). */
@Module({ controllers: [OrganizationExportController] })
export class OrganizationExportModule {}
