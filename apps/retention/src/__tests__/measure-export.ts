import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalDirectoryStorage } from '@offboarding/storage';
import { ServiceCollectionsClient } from '../exports/service-collections';
import { type CollectionSource, writeExportArchive } from '../exports/export-archive';
import { loadRetentionConfig } from '../shared/retention-config';

// Export throughput and peak memory for an organization of N rows (one service, one collection of
// N contacts of ~200 bytes, streamed over HTTP NDJSON like the real endpoint, into a local ZIP):
//   node tools/run-ts.js apps/retention/src/__tests__/measure-export.ts 100000
// Run it at two sizes: the peak RSS should stay flat while the rows grow.

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 100_000);
  const organizationId = '0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f';
  const server = createServer((request, response) => {
    if (request.url?.endsWith('/collections')) {
      response.end(JSON.stringify({ collections: { organization_contacts: { rows, columns: ['id', 'organization_id', 'name', 'email', 'phone', 'address'] } } }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    let i = 0;
    const pump = (): void => {
      while (i < rows) {
        const row = { id: `c-${i}`, organization_id: organizationId, name: `Person Number ${i}`, email: `person.${i}@customer.example`, phone: `+49 30 ${1_000_000 + i}`, address: `Street ${i % 500}, 10115 Berlin, Germany` };
        i += 1;
        if (!response.write(`${JSON.stringify({ collection: 'organization_contacts', row })}\n`)) {
          response.once('drain', pump);
          return;
        }
      }
      response.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = { ...loadRetentionConfig({}), internalUrls: { entitlements: base, provisioning: base, identity: base } };
  const client = new ServiceCollectionsClient(config);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-measure-'));
  const storage = new LocalDirectoryStorage(dir);

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const started = performance.now();
  async function* sources(): AsyncGenerator<CollectionSource> {
    const summary = await client.summary('entitlements', organizationId);
    for (const [collection, { columns }] of Object.entries(summary)) {
      yield { service: 'entitlements', collection, columns, rows: () => client.rows('entitlements', organizationId, collection) };
    }
  }
  const abort = new AbortController();
  const archive = writeExportArchive(sources(), { exportId: 'measure', organizationId, now: new Date(0), signal: abort.signal });
  const [stored, manifest] = await Promise.all([storage.put('measure/export.zip', archive.stream), archive.manifest]);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const uncompressed = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
  process.stdout.write(
    `${JSON.stringify({
      rows,
      seconds: Number(seconds.toFixed(2)),
      rowsPerSecond: Math.round(rows / seconds),
      uncompressedMB: Number((uncompressed / 1e6).toFixed(1)),
      zipMB: Number((stored.size / 1e6).toFixed(1)),
      uncompressedMBPerSecond: Number((uncompressed / 1e6 / seconds).toFixed(1)),
      peakRssMB: Math.round(peakRss / 1e6),
    })}\n`,
  );
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
