import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type DownloadUrlOptions, ObjectNotFoundError, ObjectStorage, type ObjectInfo, type StoredObject } from './object-storage';
import { assertValidKey } from './storage-keys';

/** Static keys (an S3-compatible store's access key, never AWS's own) as a function, so no log can print them. */
export type S3CredentialsProvider = () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;

export interface S3StorageConfig {
  bucket: string;
  region: string;
  /** An S3-compatible endpoint (MinIO, Ceph, R2…), e.g. http://minio:9000; absent: AWS S3 of the region. */
  endpoint?: string;
  /** The endpoint put into download links, when clients reach the store under another name than the services. */
  publicEndpoint?: string;
  /** true: http://endpoint/bucket/key (most self-hosted stores); false: http://bucket.endpoint/key. */
  forcePathStyle: boolean;
  /**
   * Static keys; absent: the AWS SDK's default credential chain (AWS_* environment variables,
   * web identity — EKS IRSA — from AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, container
   * credentials — EKS Pod Identity, ECS — and the instance's metadata service), refreshed before
   * they expire.
   */
  credentials?: S3CredentialsProvider;
  /** Multipart part size; a stream is held in memory one part at a time (S3's minimum is 5 MiB). */
  partSizeBytes: number;
  requestTimeoutMs: number;
  /** Attempts per request, retries with backoff on throttling (503 SlowDown), 5xx and network errors. */
  maxAttempts: number;
}

export class S3StorageError extends Error {
  override readonly name = 'S3StorageError';
  constructor(
    message: string,
    readonly status: number | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** S3's smallest multipart part (except the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

function clientConfig(config: S3StorageConfig, endpoint: string | undefined): S3ClientConfig {
  return {
    region: config.region,
    endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials: config.credentials,
    maxAttempts: config.maxAttempts,
    retryMode: 'standard',
    requestHandler: { requestTimeout: config.requestTimeoutMs, connectionTimeout: Math.min(config.requestTimeoutMs, 10_000) },
    // Only the checksums S3 requires: S3-compatible stores differ in the newer ones (aws-chunked
    // trailers, CRC32 headers); every upload here is hashed end to end (SHA-256) anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/**
 * Object storage on S3 or an S3-compatible service through the AWS SDK: a buffer is one PUT, a
 * stream a multipart upload (lib-storage) holding one part in memory at a time and aborted on
 * failure, so no half object is ever visible. Downloads are handed out as short-lived presigned
 * URLs, so archives never stream through the services.
 */
export class S3ObjectStorage extends ObjectStorage {
  private readonly client: S3Client;
  private readonly presigner: S3Client;

  constructor(private readonly config: S3StorageConfig) {
    super();
    this.client = new S3Client(clientConfig(config, config.endpoint));
    this.presigner = config.publicEndpoint ? new S3Client(clientConfig(config, config.publicEndpoint)) : this.client;
  }

  async put(key: string, body: Readable | Buffer): Promise<StoredObject> {
    assertValidKey(key);
    if (Buffer.isBuffer(body)) {
      await this.call(`put ${key}`, () => this.client.send(new PutObjectCommand({ Bucket: this.config.bucket, Key: key, Body: body, ContentLength: body.length })));
      return { key, size: body.length, sha256: createHash('sha256').update(body).digest('hex') };
    }
    const hash = createHash('sha256');
    let size = 0;
    const metered = new Transform({
      transform(chunk: Buffer | string, _encoding, done) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        hash.update(buffer);
        size += buffer.length;
        done(null, buffer);
      },
    });
    // A failing source must fail the upload (and so abort it), not leave it waiting for data.
    body.once('error', (error) => metered.destroy(error));
    body.pipe(metered);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.config.bucket, Key: key, Body: metered },
      partSize: this.config.partSizeBytes,
      queueSize: 1,
      // Aborted below, so that the reason the upload failed is what the caller sees.
      leavePartsOnError: true,
    });
    try {
      await upload.done();
    } catch (error) {
      const failure = storageError(`put ${key}`, error);
      if (upload.uploadId) {
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.config.bucket, Key: key, UploadId: upload.uploadId }))
          .catch((abortError: unknown) => {
            failure.message += `; aborting the multipart upload failed too (${storageError('abort', abortError).message}): a bucket lifecycle rule removes its parts`;
          });
      }
      throw failure;
    }
    return { key, size, sha256: hash.digest('hex') };
  }

  async get(key: string): Promise<Readable> {
    assertValidKey(key);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key }));
      if (!response.Body) return Readable.from([]);
      return response.Body as Readable;
    } catch (error) {
      if (notFound(error)) throw new ObjectNotFoundError(key);
      throw storageError(`get ${key}`, error);
    }
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    assertValidKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: key }));
      return { key, size: head.ContentLength ?? 0, lastModified: head.LastModified ?? new Date(0) };
    } catch (error) {
      if (notFound(error)) return null;
      throw storageError(`head ${key}`, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(key: string): Promise<boolean> {
    if (!(await this.exists(key))) return false;
    await this.call(`delete ${key}`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: key })));
    return true;
  }

  /**
   * A GET URL signed for `expiresInSeconds` that answers with the given file name and type;
   * the store serves Range requests on it. Nothing is fetched: only the credentials are resolved.
   */
  override async downloadUrl(key: string, options: DownloadUrlOptions): Promise<string> {
    assertValidKey(key);
    const command = new GetObjectCommand({
      Bucket: this.config.bucket,
      Key: key,
      ResponseContentDisposition: `attachment; filename="${options.filename.replace(/["\\\r\n]/g, '_')}"`,
      ResponseContentType: options.contentType,
      ResponseCacheControl: 'no-store',
    });
    return this.call(`sign a download link for ${key}`, () => getSignedUrl(this.presigner, command, { expiresIn: options.expiresInSeconds }));
  }

  private async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw storageError(what, error);
    }
  }
}

function notFound(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404);
}

function storageError(what: string, error: unknown): S3StorageError {
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode ?? null;
    return new S3StorageError(`${what}: S3 answered ${status ?? 'without a status'} ${error.name}${error.message && error.message !== error.name ? ` (${error.message})` : ''}`, status, error.name);
  }
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  return new S3StorageError(`${what}: ${name === 'Error' ? '' : `${name}: `}${message}`);
}
