import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { ZipFile } from 'yazl';

/** One collection of one service, readable row by row (twice: once per file format). */
export interface CollectionSource {
  service: string;
  collection: string;
  columns: string[];
  rows: () => AsyncIterable<Record<string, unknown>>;
}

export interface ManifestFile {
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface ExportManifest {
  format: 'offboarding-data-export/1';
  exportId: string;
  organizationId: string;
  generatedAt: string;
  collections: { service: string; collection: string; rows: number; files: string[] }[];
  files: ManifestFile[];
}

/** How far an archive has got: collections with both files written, and rows written so far (each row once). */
export interface ArchiveProgress {
  collectionsDone: number;
  rowsWritten: number;
}

export interface ArchiveOptions {
  exportId: string;
  organizationId: string;
  now: Date;
  /** Aborted when the archive's reader gives up (storage failed): writing stops instead of waiting. */
  signal: AbortSignal;
  /**
   * Called as the archive grows: after every chunk of a collection's JSON file (a row counts
   * once, although it is in the JSON and the CSV file) and when a collection's files are both
   * written. The numbers never go down.
   */
  onProgress?: (progress: ArchiveProgress) => void;
}

/**
 * Streams an export ZIP: for every collection `<service>/<collection>.json` (an array) and
 * `<service>/<collection>.csv`, then `manifest.json` with row counts and each file's SHA-256 and
 * size. Entries are written one after another with backpressure, so memory holds a few buffers,
 * not the organization: the archive grows on the reader's side only.
 */
export function writeExportArchive(sources: AsyncIterable<CollectionSource> | Iterable<CollectionSource>, options: ArchiveOptions): { stream: Readable; manifest: Promise<ExportManifest> } {
  const zip = new ZipFile();
  const manifest = (async (): Promise<ExportManifest> => {
    const files: ManifestFile[] = [];
    const collections: ExportManifest['collections'] = [];
    let rowsBefore = 0;
    try {
      for await (const source of sources) {
        const base = `${source.service}/${source.collection}`;
        const json = await addEntry(zip, `${base}.json`, (counter) => jsonChunks(source, counter), options, (rows) =>
          options.onProgress?.({ collectionsDone: collections.length, rowsWritten: rowsBefore + rows }),
        );
        const csv = await addEntry(zip, `${base}.csv`, (counter) => csvChunks(source, counter), options);
        files.push(json, csv);
        collections.push({ service: source.service, collection: source.collection, rows: json.rows, files: [json.path, csv.path] });
        rowsBefore += json.rows;
        options.onProgress?.({ collectionsDone: collections.length, rowsWritten: rowsBefore });
      }
      const result: ExportManifest = {
        format: 'offboarding-data-export/1',
        exportId: options.exportId,
        organizationId: options.organizationId,
        generatedAt: options.now.toISOString(),
        collections,
        files,
      };
      zip.addBuffer(Buffer.from(`${JSON.stringify(result, null, 2)}\n`), 'manifest.json', { mtime: options.now });
      zip.end();
      return result;
    } catch (error) {
      (zip.outputStream as unknown as Readable).destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  })();
  // The caller awaits the manifest beside the stream; an unobserved rejection must not crash.
  manifest.catch(() => undefined);
  const stream = zip.outputStream as unknown as Readable;
  // A source can fail before the reader attached its handlers (storage still preparing the file):
  // the failure reaches the caller through the manifest and the reader's pipeline, never as an
  // unhandled 'error' event that would end the process.
  stream.on('error', () => undefined);
  return { stream, manifest };
}

interface Counted {
  rows: number;
}

/** Rows are written in chunks of about this size: fewer, larger writes into zlib and the hash. */
const WRITE_CHUNK_BYTES = 64 * 1024;

async function addEntry(
  zip: ZipFile,
  path: string,
  chunks: (counter: Counted) => AsyncIterable<string>,
  options: ArchiveOptions,
  onFlushed?: (rows: number) => void,
): Promise<ManifestFile> {
  const entry = new PassThrough();
  zip.addReadStream(entry, path, { mtime: options.now });
  const hash = createHash('sha256');
  const counter: Counted = { rows: 0 };
  let bytes = 0;
  let pending = '';
  const flush = async (): Promise<void> => {
    const buffer = Buffer.from(pending, 'utf8');
    pending = '';
    hash.update(buffer);
    bytes += buffer.length;
    if (!entry.write(buffer)) await once(entry, 'drain', { signal: options.signal });
    onFlushed?.(counter.rows);
  };
  try {
    for await (const chunk of chunks(counter)) {
      pending += chunk;
      if (pending.length >= WRITE_CHUNK_BYTES) await flush();
    }
    if (pending.length > 0) await flush();
  } catch (error) {
    // Without an error: yazl has no listener on its entry streams; the archive stream carries it.
    entry.destroy();
    throw error;
  }
  entry.end();
  return { path, rows: counter.rows, bytes, sha256: hash.digest('hex') };
}

async function* jsonChunks(source: CollectionSource, counter: Counted): AsyncGenerator<string> {
  yield '[';
  for await (const row of source.rows()) {
    yield `${counter.rows === 0 ? '\n' : ',\n'}${JSON.stringify(row)}`;
    counter.rows += 1;
  }
  yield counter.rows === 0 ? ']\n' : '\n]\n';
}

async function* csvChunks(source: CollectionSource, counter: Counted): AsyncGenerator<string> {
  yield `${source.columns.map(csvCell).join(',')}\r\n`;
  for await (const row of source.rows()) {
    yield `${source.columns.map((column) => csvCell(row[column])).join(',')}\r\n`;
    counter.rows += 1;
  }
}

/**
 * RFC 4180 cells; objects as JSON. A text starting with = + - @ gets a leading apostrophe so a
 * spreadsheet shows it instead of running it as a formula (the JSON file has the value as is).
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : JSON.stringify(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}
