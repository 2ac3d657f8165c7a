import { BadRequestException, Controller, Get, NotFoundException, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { InternalTokenGuard } from '../auth/internal-token';
import { exportCollections, readCollection, summarizeCollections, type CollectionSummary, type ExportLine } from './organization-data';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function organizationIdOf(value: string): string {
  if (!UUID.test(value)) throw new BadRequestException('organizationId must be a UUID');
  return value.toLowerCase();
}

/**
 * What this service holds for an organization, for the retention service's data export and purge
 * preview. Every subgraph mounts it (PlatformModule); only callers with the internal token reach it.
 *
 * `GET /internal/export/:organizationId[?collection=<table>]` streams NDJSON, one
 * `{"collection": "<table>", "row": {...}}` per line, collection after collection, read in keyset
 * batches and written with backpressure, so neither side holds more than a batch.
 * `GET /internal/export/:organizationId/collections` answers `{"collections": {"<table>": {"rows": n, "columns": [...]}}}`.
 */
@Controller('internal/export')
@UseGuards(InternalTokenGuard)
export class OrganizationExportController {
  constructor(private readonly dataSource: DataSource) {}

  @Get(':organizationId/collections')
  async collections(@Param('organizationId') organizationId: string): Promise<{ collections: Record<string, CollectionSummary> }> {
    return { collections: await summarizeCollections(this.dataSource, organizationIdOf(organizationId)) };
  }

  @Get(':organizationId')
  async stream(
    @Param('organizationId') organizationIdParam: string,
    @Query('collection') only: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const organizationId = organizationIdOf(organizationIdParam);
    const collections = exportCollections(this.dataSource).filter((collection) => only === undefined || collection.collection === only);
    if (only !== undefined && collections.length === 0) throw new NotFoundException(`no exportable collection "${only}"`);
    response.status(200).setHeader('content-type', 'application/x-ndjson; charset=utf-8');
    let aborted = false;
    response.on('close', () => (aborted = !response.writableFinished));
    try {
      for (const collection of collections) {
        for await (const row of readCollection(this.dataSource, collection, organizationId)) {
          if (aborted) return;
          const line: ExportLine = { collection: collection.collection, row };
          if (!response.write(`${JSON.stringify(line)}\n`)) {
            await new Promise<void>((resolve) => {
              const done = (): void => {
                response.off('drain', done);
                response.off('close', done);
                resolve();
              };
              response.on('drain', done);
              response.on('close', done);
            });
          }
        }
      }
      response.end();
    } catch (error) {
      // Headers are gone: cut the stream so the reader sees a truncated body, not a complete one.
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
