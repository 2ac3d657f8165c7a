import { Module } from '@nestjs/common';
import { PlatformModule } from '@offboarding/platform';
import { AuditTrailModule } from './audit-trail/audit-trail.module';
import { entities } from './entities';
import { migrations } from './migrations';
import { OrganizationReference } from './organizations/organization.model';
import { RetentionModule } from './retention.module';

@Module({
  imports: [
    PlatformModule.forSubgraph({ service: 'retention', entities, migrations, entityStubs: [OrganizationReference] }),
    AuditTrailModule,
    RetentionModule,
  ],
})
export class AppModule {}
