import { Module } from '@nestjs/common';
import { ObjectStorage, objectStorageOf } from '@offboarding/storage';
import { SERVICE_CONFIG, type ServiceConfig } from '@offboarding/platform';
import { AuditTrailModule } from './audit-trail/audit-trail.module';
import { DataExportResolver, OrganizationExportsResolver } from './exports/data-export.resolver';
import { DataExportService } from './exports/data-export.service';
import { ExportDownloadController } from './exports/export-download.controller';
import { ServiceCollectionsClient } from './exports/service-collections';
import { MaskingKeysController } from './masking/masking-keys.controller';
import { MaskingService } from './masking/masking.service';
import { OrganizationCertificateResolver, PurgeQueueResolver } from './purge/purge.resolver';
import { PurgeService } from './purge/purge.service';
import { RetentionAdminService } from './purge/retention-admin.service';
import { RetentionWiring } from './retention.wiring';
import { loadRetentionConfig, RETENTION_CONFIG, type RetentionConfig } from './shared/retention-config';
import { RetentionJournal } from './shared/retention-journal';
import { OrganizationTimelineResolver, RetentionCaseResolver } from './timeline/timeline.resolver';
import { MilestoneProgress } from './timeline/milestones';
import { TimelineMetrics } from './timeline/timeline.metrics';
import { TimelineService } from './timeline/timeline.service';

/** Timeline, exports, masking keys, purge queue and certificates. */
@Module({
  imports: [AuditTrailModule],
  controllers: [ExportDownloadController, MaskingKeysController],
  providers: [
    { provide: RETENTION_CONFIG, useFactory: () => loadRetentionConfig() },
    // STORAGE_DRIVER=local (a directory under DATA_DIR) or s3 (S3_* variables).
    {
      provide: ObjectStorage,
      useFactory: ({ storage }: RetentionConfig) => objectStorageOf(storage),
      inject: [RETENTION_CONFIG],
    },
    {
      provide: ServiceCollectionsClient,
      useFactory: (config: RetentionConfig, service: ServiceConfig) => new ServiceCollectionsClient(config, service.internalApiToken),
      inject: [RETENTION_CONFIG, SERVICE_CONFIG],
    },
    RetentionJournal,
    MilestoneProgress,
    MaskingService,
    TimelineService,
    TimelineMetrics,
    RetentionAdminService,
    PurgeService,
    DataExportService,
    RetentionWiring,
    OrganizationTimelineResolver,
    RetentionCaseResolver,
    PurgeQueueResolver,
    OrganizationCertificateResolver,
    DataExportResolver,
    OrganizationExportsResolver,
  ],
})
export class RetentionModule {}
