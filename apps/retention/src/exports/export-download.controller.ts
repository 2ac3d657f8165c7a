import { pipeline } from 'node:stream/promises';
import { Controller, ForbiddenException, Get, GoneException, Inject, NotFoundException, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Clock, Public } from '@offboarding/platform';
import { ObjectNotFoundError, ObjectStorage } from '@offboarding/storage';
import { RETENTION_CONFIG, type RetentionConfig } from '../shared/retention-config';
import { DataExportStatus } from './data-export.entity';
import { DataExportService } from './data-export.service';
import { checkDownload } from './download-link';

/**
 * `GET /exports/:id/download?expires=…&signature=…`: the signed link is the credential (it is
 * handed out only through DataExport.downloadUrl, to callers allowed to see the export).
 * Tampered → 403, expired → 410, not ready or unknown → 404. On object storage the answer is a
 * 302 to a presigned URL of the archive, valid for S3_DOWNLOAD_URL_TTL_SECONDS (Range requests
 * go straight to the store), so archives never stream through the services; from a local
 * directory (embedded mode) the archive streams from here.
 */
@Controller('exports')
export class ExportDownloadController {
  constructor(
    private readonly exports: DataExportService,
    private readonly storage: ObjectStorage,
    private readonly clock: Clock,
    @Inject(RETENTION_CONFIG) private readonly config: RetentionConfig,
  ) {}

  @Get(':id/download')
  @Public()
  async download(
    @Param('id') id: string,
    @Query('expires') expires: string | undefined,
    @Query('signature') signature: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const check = checkDownload(this.config.exportUrlSecret, id, expires, signature, this.clock.now());
    if (check === 'tampered') throw new ForbiddenException('this download link is not valid');
    if (check === 'expired') throw new GoneException('this download link has expired; request a new one from DataExport.downloadUrl');
    const row = await this.exports.find(id);
    if (!row || row.status === DataExportStatus.PURGED) throw new GoneException('this export no longer exists');
    if (row.status !== DataExportStatus.READY || !row.storageKey) throw new NotFoundException('this export is not ready');
    const filename = `organization-${row.organizationId}-export-${row.id}.zip`;
    if (this.config.storage.driver === 's3') {
      const location = await this.storage.downloadUrl(row.storageKey, {
        expiresInSeconds: this.config.storage.downloadUrlTtlSeconds,
        filename,
        contentType: 'application/zip',
      });
      if (location !== null) {
        response.status(302).setHeader('location', location);
        response.setHeader('cache-control', 'no-store');
        response.end();
        return;
      }
    }
    let body;
    try {
      body = await this.storage.get(row.storageKey);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw new GoneException('this export no longer exists');
      throw error;
    }
    response.status(200);
    response.setHeader('content-type', 'application/zip');
    if (row.sizeBytes !== null) response.setHeader('content-length', String(row.sizeBytes));
    response.setHeader('content-disposition', `attachment; filename="${filename}"`);
    response.setHeader('cache-control', 'no-store');
    await pipeline(body, response);
  }
}
