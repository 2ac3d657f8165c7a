import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { Inject, Injectable } from '@nestjs/common';
import { type CollectionSummary, type ExportLine, internalAuthHeaders } from '@offboarding/platform';
import type { ConfirmingService } from '../shared/confirming-services';
import { RETENTION_CONFIG, type RetentionConfig } from '../shared/retention-config';

export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
}

/**
 * Reads what another service holds for an organization from its internal export endpoint
 * (libs/platform OrganizationExportController): the collections with their counts, and each
 * collection's rows as NDJSON, parsed line by line as they arrive.
 */
@Injectable()
export class ServiceCollectionsClient {
  constructor(
    @Inject(RETENTION_CONFIG) private readonly config: RetentionConfig,
    /** INTERNAL_API_TOKEN (ServiceConfig.internalApiToken). */
    private readonly internalApiToken: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async summary(service: ConfirmingService, organizationId: string): Promise<Record<string, CollectionSummary>> {
    const response = await this.get(service, `/internal/export/${organizationId}/collections`, 30_000);
    const body = (await response.json()) as { collections?: Record<string, CollectionSummary> };
    if (!body.collections || typeof body.collections !== 'object') throw new ServiceUnavailableError(`${service}: the collection summary is malformed`);
    return body.collections;
  }

  async *rows(service: ConfirmingService, organizationId: string, collection: string): AsyncGenerator<Record<string, unknown>> {
    const response = await this.get(service, `/internal/export/${organizationId}?collection=${encodeURIComponent(collection)}`, this.config.internalRequestTimeoutMs);
    if (!response.body) return;
    const body = Readable.fromWeb(response.body);
    try {
      for await (const line of ndjsonLines(body as AsyncIterable<Buffer>)) {
        if (line.length === 0) continue;
        const parsed = JSON.parse(line) as ExportLine;
        if (parsed.collection !== collection || typeof parsed.row !== 'object' || parsed.row === null) {
          throw new ServiceUnavailableError(`${service}: a line of ${collection} is not {"collection", "row"}`);
        }
        yield parsed.row;
      }
    } catch (error) {
      if (error instanceof ServiceUnavailableError) throw error;
      throw new ServiceUnavailableError(`${service}: reading ${collection} failed (${error instanceof Error ? error.message : String(error)})`);
    } finally {
      body.destroy();
    }
  }

  private async get(service: ConfirmingService, path: string, timeoutMs: number): Promise<Response> {
    const url = `${this.config.internalUrls[service]}${path}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, { headers: { accept: 'application/json', ...internalAuthHeaders(this.internalApiToken) }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new ServiceUnavailableError(`${service} unreachable at ${this.config.internalUrls[service]} (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!response.ok) throw new ServiceUnavailableError(`${service} answered ${response.status} for ${path.split('?')[0]}`);
    return response;
  }
}

/**
 * The lines of a byte stream, pulled chunk by chunk: the producer is only read as fast as the
 * lines are consumed (readline's async iterator queues lines without bound when the consumer is
 * the slower side).
 */
export async function* ndjsonLines(body: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of body) {
    rest += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      yield rest.slice(0, newline);
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
  }
  rest += decoder.end();
  if (rest.length > 0) yield rest;
}
