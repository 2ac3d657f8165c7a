import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { ObjectNotFoundError } from '../object-storage';
import { S3ObjectStorage, S3StorageError, type S3StorageConfig } from '../s3-object-storage';
import { signV4 } from '../sigv4';

const ACCESS_KEY = 'AKIATESTTESTTEST';
const SECRET = 'test-secret-key-for-the-in-test-s3-server';
const BUCKET = 'exports';

/**
 * A minimal S3 in memory: PUT/GET/HEAD/DELETE objects and multipart uploads, refusing every request
 * whose SigV4 signature or payload hash does not verify, the way S3 does.
 */
class FakeS3 {
  readonly objects = new Map<string, { body: Buffer; modified: Date }>();
  readonly uploads = new Map<string, Map<number, Buffer>>();
  readonly log: string[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      void this.handle(request).then(({ status, headers = {}, body }) => {
        response.writeHead(status, headers);
        response.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(request: IncomingMessage): Promise<{ status: number; headers?: Record<string, string>; body?: Buffer | string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    const problem = this.verify(request, url, body);
    if (problem) return { status: 403, body: `<Error><Code>SignatureDoesNotMatch</Code><Message>${problem}</Message></Error>` };
    const [, bucket, ...rest] = url.pathname.split('/');
    if (bucket !== BUCKET) return { status: 404, body: '<Error><Code>NoSuchBucket</Code></Error>' };
    const key = rest.map(decodeURIComponent).join('/');
    const method = request.method ?? 'GET';
    this.log.push(`${method} ${key}${url.search}`);
    if (method === 'POST' && url.searchParams.has('uploads')) {
      const uploadId = randomBytes(8).toString('hex');
      this.uploads.set(uploadId, new Map());
      return { status: 200, body: `<InitiateMultipartUploadResult><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>` };
    }
    const uploadId = url.searchParams.get('uploadId');
    if (uploadId !== null) {
      const parts = this.uploads.get(uploadId);
      if (!parts) return { status: 404, body: '<Error><Code>NoSuchUpload</Code></Error>' };
      if (method === 'PUT') {
        const number = Number(url.searchParams.get('partNumber'));
        parts.set(number, body);
        return { status: 200, headers: { etag: `"${createHash('md5').update(body).digest('hex')}"` } };
      }
      if (method === 'DELETE') {
        this.uploads.delete(uploadId);
        return { status: 204 };
      }
      const numbers = [...body.toString().matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((match) => Number(match[1]));
      this.objects.set(key, { body: Buffer.concat(numbers.map((n) => parts.get(n)!)), modified: new Date() });
      this.uploads.delete(uploadId);
      return { status: 200, body: '<CompleteMultipartUploadResult></CompleteMultipartUploadResult>' };
    }
    const stored = this.objects.get(key);
    switch (method) {
      case 'PUT':
        this.objects.set(key, { body, modified: new Date() });
        return { status: 200, headers: { etag: '"x"' } };
      case 'GET':
        return stored ? { status: 200, body: stored.body } : { status: 404, body: '<Error><Code>NoSuchKey</Code></Error>' };
      case 'HEAD':
        return stored
          ? { status: 200, headers: { 'content-length': String(stored.body.length), 'last-modified': stored.modified.toUTCString() } }
          : { status: 404 };
      case 'DELETE':
        this.objects.delete(key);
        return { status: 204 };
      default:
        return { status: 405 };
    }
  }

  /** Recomputes the signature over what actually arrived; null when it verifies. */
  private verify(request: IncomingMessage, url: URL, body: Buffer): string | null {
    const authorization = request.headers.authorization ?? '';
    const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
    if (!match) return 'malformed authorization';
    const [, accessKey, , region, signedHeaders, signature] = match;
    if (accessKey !== ACCESS_KEY) return 'unknown access key';
    const payloadHash = String(request.headers['x-amz-content-sha256'] ?? '');
    if (payloadHash !== createHash('sha256').update(body).digest('hex')) return 'payload hash mismatch';
    const amzDate = String(request.headers['x-amz-date'] ?? '');
    const now = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) {
      if (name === 'host' || name === 'x-amz-date') continue;
      headers[name] = String(request.headers[name] ?? '');
    }
    const expected = signV4({
      method: request.method ?? 'GET',
      url,
      headers,
      payloadHash,
      region,
      service: 's3',
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET },
      now,
    });
    return expected.signature === signature ? null : 'signature mismatch';
  }
}

describe('S3ObjectStorage against an S3 that verifies every signature', () => {
  const s3 = new FakeS3();
  let config: S3StorageConfig;

  beforeAll(async () => {
    await s3.start();
    config = {
      endpoint: s3.url,
      bucket: BUCKET,
      region: 'eu-central-1',
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET,
      forcePathStyle: true,
      partSizeBytes: 64 * 1024,
      requestTimeoutMs: 10_000,
    };
  });
  afterAll(() => s3.stop());

  const read = async (stream: Readable): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };

  it('puts, heads, gets and deletes an object', async () => {
    const storage = new S3ObjectStorage(config);
    const body = Buffer.from('{"hello":"world"}');
    const stored = await storage.put('data-exports/org/one.json', body);
    expect(stored).toEqual({ key: 'data-exports/org/one.json', size: body.length, sha256: createHash('sha256').update(body).digest('hex') });
    expect(await storage.stat('data-exports/org/one.json')).toMatchObject({ size: body.length });
    expect(await storage.exists('data-exports/org/one.json')).toBe(true);
    expect(await read(await storage.get('data-exports/org/one.json'))).toEqual(body);
    expect(await storage.delete('data-exports/org/one.json')).toBe(true);
    expect(await storage.delete('data-exports/org/one.json')).toBe(false);
    expect(await storage.stat('data-exports/org/one.json')).toBeNull();
    await expect(storage.get('data-exports/org/one.json')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('streams a large body as a multipart upload, one part in memory at a time', async () => {
    const storage = new S3ObjectStorage(config);
    const chunks = Array.from({ length: 40 }, (_, index) => Buffer.alloc(10_000, index));
    const whole = Buffer.concat(chunks);
    s3.log.length = 0;
    const stored = await storage.put('data-exports/org/big.zip', Readable.from(chunks));
    expect(stored.size).toBe(whole.length);
    expect(stored.sha256).toBe(createHash('sha256').update(whole).digest('hex'));
    // A part is sent once it reaches the part size: here every 7 chunks of 10 000 bytes.
    const partBytes = Math.ceil(config.partSizeBytes / 10_000) * 10_000;
    expect(s3.log.filter((line) => line.includes('partNumber=')).length).toBe(Math.ceil(whole.length / partBytes));
    expect(await read(await storage.get('data-exports/org/big.zip'))).toEqual(whole);
  });

  it('stores a small stream with one PUT', async () => {
    const storage = new S3ObjectStorage(config);
    s3.log.length = 0;
    await storage.put('small/stream.txt', Readable.from([Buffer.from('a'), Buffer.from('b')]));
    expect(s3.log).toEqual(['PUT small/stream.txt']);
    expect((await read(await storage.get('small/stream.txt'))).toString()).toBe('ab');
  });

  it('fails with the status when the signature does not verify, and stores nothing', async () => {
    const storage = new S3ObjectStorage({ ...config, secretAccessKey: 'wrong' });
    const failure = await storage.put('data-exports/org/nope.json', Buffer.from('x')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(S3StorageError);
    expect(failure).toMatchObject({ status: 403 });
    expect((failure as Error).message).toContain('SignatureDoesNotMatch');
    expect(s3.objects.has('data-exports/org/nope.json')).toBe(false);
  });

  it('aborts a multipart upload whose source fails, leaving no object and no open upload', async () => {
    const storage = new S3ObjectStorage(config);
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(100_000, 1);
      await Promise.resolve();
      throw new Error('source broke');
    }
    await expect(storage.put('data-exports/org/broken.zip', Readable.from(failing()))).rejects.toThrow('source broke');
    expect(s3.objects.has('data-exports/org/broken.zip')).toBe(false);
    expect(s3.uploads.size).toBe(0);
  });

  it('builds path-style and virtual-host-style URLs', () => {
    expect(new S3ObjectStorage(config).urlOf('a/b=c.json').pathname).toBe(`/${BUCKET}/a/b%3Dc.json`);
    const virtual = new S3ObjectStorage({ ...config, endpoint: 'https://s3.eu-central-1.amazonaws.com', forcePathStyle: false }).urlOf('a/b.json');
    expect(virtual.toString()).toBe(`https://${BUCKET}.s3.eu-central-1.amazonaws.com/a/b.json`);
  });
});
