import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectNotFoundError, ObjectStorage, type ObjectInfo, type StoredObject } from './object-storage';
import { EMPTY_PAYLOAD_SHA256, sha256Hex, signV4 } from './sigv4';
import { assertValidKey } from './storage-keys';

export interface S3StorageConfig {
  /** e.g. https://s3.eu-central-1.amazonaws.com or http://minio:9000 */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** true: http://endpoint/bucket/key (MinIO and most self-hosted stores); false: http://bucket.endpoint/key. */
  forcePathStyle: boolean;
  /** Multipart part size; a stream is held in memory one part at a time (S3's minimum is 5 MiB). */
  partSizeBytes: number;
  requestTimeoutMs: number;
}

export class S3StorageError extends Error {
  override readonly name = 'S3StorageError';
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** S3's smallest multipart part (except the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

interface SendOptions {
  method: 'GET' | 'PUT' | 'HEAD' | 'DELETE' | 'POST';
  key: string | null;
  query?: Record<string, string>;
  body?: Buffer;
  headers?: Record<string, string>;
}

/**
 * Object storage on an S3-compatible service, signed with AWS Signature V4 over plain fetch. A
 * buffer or a stream smaller than one part is a single PUT; a larger stream is a multipart upload
 * holding one part in memory at a time (aborted on failure, so no half object is ever visible).
 */
export class S3ObjectStorage extends ObjectStorage {
  constructor(
    private readonly config: S3StorageConfig,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
  }

  async put(key: string, body: Readable | Buffer): Promise<StoredObject> {
    assertValidKey(key);
    if (Buffer.isBuffer(body)) {
      await this.expectOk(await this.send({ method: 'PUT', key, body }), `put ${key}`);
      return { key, size: body.length, sha256: sha256Hex(body) };
    }
    const hash = createHash('sha256');
    let size = 0;
    let uploadId: string | null = null;
    const parts: { number: number; etag: string }[] = [];
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flushPart = async (): Promise<void> => {
      const part = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      if (uploadId === null) uploadId = await this.createMultipart(key);
      const number = parts.length + 1;
      const response = await this.send({ method: 'PUT', key, query: { partNumber: String(number), uploadId }, body: part });
      await this.expectOk(response, `upload part ${number} of ${key}`);
      const etag = response.headers.get('etag');
      if (!etag) throw new S3StorageError(`upload part ${number} of ${key}: no ETag in the answer`);
      parts.push({ number, etag });
    };
    try {
      for await (const chunk of body) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        hash.update(buffer);
        size += buffer.length;
        pending.push(buffer);
        pendingBytes += buffer.length;
        if (pendingBytes >= this.config.partSizeBytes) await flushPart();
      }
      if (uploadId === null) {
        const whole = Buffer.concat(pending, pendingBytes);
        await this.expectOk(await this.send({ method: 'PUT', key, body: whole }), `put ${key}`);
      } else {
        if (pendingBytes > 0) await flushPart();
        await this.completeMultipart(key, uploadId, parts);
      }
    } catch (error) {
      if (uploadId !== null) await this.send({ method: 'DELETE', key, query: { uploadId } }).catch(() => undefined);
      throw error;
    }
    return { key, size, sha256: hash.digest('hex') };
  }

  async get(key: string): Promise<Readable> {
    assertValidKey(key);
    const response = await this.send({ method: 'GET', key });
    if (response.status === 404) throw new ObjectNotFoundError(key);
    await this.expectOk(response, `get ${key}`);
    if (!response.body) return Readable.from([]);
    return Readable.fromWeb(response.body);
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    assertValidKey(key);
    const response = await this.send({ method: 'HEAD', key });
    if (response.status === 404) return null;
    await this.expectOk(response, `head ${key}`);
    const modified = response.headers.get('last-modified');
    return {
      key,
      size: Number(response.headers.get('content-length') ?? 0),
      lastModified: modified ? new Date(modified) : new Date(0),
    };
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(key: string): Promise<boolean> {
    if (!(await this.exists(key))) return false;
    await this.expectOk(await this.send({ method: 'DELETE', key }), `delete ${key}`);
    return true;
  }

  private async createMultipart(key: string): Promise<string> {
    const response = await this.send({ method: 'POST', key, query: { uploads: '' } });
    await this.expectOk(response, `start multipart upload of ${key}`);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await response.text())?.[1];
    if (!uploadId) throw new S3StorageError(`start multipart upload of ${key}: no UploadId in the answer`);
    return uploadId;
  }

  private async completeMultipart(key: string, uploadId: string, parts: { number: number; etag: string }[]): Promise<void> {
    const xml = `<CompleteMultipartUpload>${parts
      .map((part) => `<Part><PartNumber>${part.number}</PartNumber><ETag>${escapeXml(part.etag)}</ETag></Part>`)
      .join('')}</CompleteMultipartUpload>`;
    const response = await this.send({ method: 'POST', key, query: { uploadId }, body: Buffer.from(xml), headers: { 'content-type': 'application/xml' } });
    await this.expectOk(response, `complete multipart upload of ${key}`);
    // S3 may answer 200 with an error document when completing fails late.
    const text = await response.text();
    if (/<Error>/.test(text)) throw new S3StorageError(`complete multipart upload of ${key}: ${/<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? 'error'}`);
  }

  /** The URL of an object (or the bucket) in path or virtual-host style, path segments encoded. */
  urlOf(key: string | null, query: Record<string, string> = {}): URL {
    const base = new URL(this.config.endpoint);
    const encodedKey = key === null ? '' : key.split('/').map(encodeURIComponent).join('/');
    if (this.config.forcePathStyle) {
      base.pathname = `${base.pathname.replace(/\/+$/, '')}/${encodeURIComponent(this.config.bucket)}/${encodedKey}`;
    } else {
      base.hostname = `${this.config.bucket}.${base.hostname}`;
      base.pathname = `${base.pathname.replace(/\/+$/, '')}/${encodedKey}`;
    }
    for (const [name, value] of Object.entries(query)) base.searchParams.set(name, value);
    return base;
  }

  private async send(options: SendOptions): Promise<Response> {
    const url = this.urlOf(options.key, options.query);
    const payloadHash = options.body ? sha256Hex(options.body) : EMPTY_PAYLOAD_SHA256;
    const signed = signV4({
      method: options.method,
      url,
      headers: { ...options.headers, 'x-amz-content-sha256': payloadHash },
      payloadHash,
      region: this.config.region,
      service: 's3',
      credentials: { accessKeyId: this.config.accessKeyId, secretAccessKey: this.config.secretAccessKey },
      now: this.now(),
    });
    try {
      return await this.fetchImpl(url, {
        method: options.method,
        headers: signed.headers,
        body: options.body,
        signal: AbortSignal.timeout(this.config.requestTimeoutMs),
      });
    } catch (error) {
      throw new S3StorageError(`${options.method} ${url.pathname}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async expectOk(response: Response, what: string): Promise<void> {
    if (response.ok) return;
    const text = await response.text().catch(() => '');
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    throw new S3StorageError(`${what}: S3 answered ${response.status}${code ? ` ${code}` : ''}`, response.status);
  }
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
