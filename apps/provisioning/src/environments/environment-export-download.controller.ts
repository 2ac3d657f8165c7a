import { pipeline } from 'node:stream/promises';
import { Controller, ForbiddenException, Get, GoneException, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '@offboarding/platform';
import { ObjectNotFoundError, ObjectStorage } from '@offboarding/storage';
import { EnvironmentsService } from './environments.service';

/**
 * `GET /environment-exports/:id/download?expires=…&signature=…`: the signed link from
 * EnvironmentExport.downloadUrl is the credential ("provide the export to the customer").
 * Reached on the public origin through the gateway. Tampered → 403, expired → 410, gone → 410.
 */
@Controller('environment-exports')
export class EnvironmentExportDownloadController {
  constructor(
    private readonly environments: EnvironmentsService,
    private readonly storage: ObjectStorage,
  ) {}

  @Get(':id/download')
  @Public()
  async download(
    @Param('id') id: string,
    @Query('expires') expires: string | undefined,
    @Query('signature') signature: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const check = this.environments.checkDownloadLink(id, expires, signature);
    if (check === 'tampered') throw new ForbiddenException('this download link is not valid');
    if (check === 'expired') throw new GoneException('this download link has expired; ask for a new one (EnvironmentExport.downloadUrl)');
    const artifact = await this.environments.findExport(id);
    if (!artifact) throw new GoneException('this export no longer exists');
    let body;
    try {
      body = await this.storage.get(artifact.storageKey);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw new GoneException('this export no longer exists');
      throw error;
    }
    response.status(200);
    response.setHeader('content-type', 'application/x-ndjson');
    response.setHeader('content-length', String(artifact.sizeBytes));
    response.setHeader('content-disposition', `attachment; filename="environment-${artifact.environmentId}-export-${artifact.id}.jsonl"`);
    response.setHeader('x-content-sha256', artifact.sha256);
    response.setHeader('cache-control', 'no-store');
    await pipeline(body, response);
  }
}
