import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { jwtVerify, SignJWT } from 'jose';
import { startS3Stand, startStsStandIn, waitFor, type S3Stand, type StsStandIn } from '@offboarding/testing';
import { ObjectNotFoundError } from '../object-storage';
import { MIN_PART_SIZE, S3ObjectStorage, S3StorageError, type S3StorageConfig } from '../s3-object-storage';
import { objectStorageFromEnv, storageSettingsFromEnv } from '../storage-from-env';

jest.setTimeout(60_000);

const REGION = 'eu-central-1';
const STATIC = { accessKeyId: 'AKIAOFFBOARDINGTEST', secretAccessKey: 'static-secret-for-the-s3-stand' };

const read = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * S3ObjectStorage (AWS SDK v3) against s3rver, an independent S3-compatible server, behind a gate
 * that verifies every Signature V4 with the SDK's signer (s3rver itself checks only the key id).
 */
describe('S3ObjectStorage against s3rver', () => {
  let s3: S3Stand;
  let config: S3StorageConfig;

  beforeAll(async () => {
    s3 = await startS3Stand({ region: REGION, credentials: [STATIC] });
    config = {
      bucket: s3.bucket,
      region: REGION,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: () => Promise.resolve(STATIC),
      partSizeBytes: MIN_PART_SIZE,
      requestTimeoutMs: 10_000,
      maxAttempts: 3,
    };
  });
  afterAll(() => s3?.stop());
  beforeEach(() => {
    s3.requests.length = 0;
    s3.refusals.length = 0;
  });

  it('puts, heads, gets and deletes an object, and reports a missing one', async () => {
    const storage = new S3ObjectStorage(config);
    const body = Buffer.from('{"hello":"world"}');
    expect(await storage.put('data-exports/org/one.json', body)).toEqual({ key: 'data-exports/org/one.json', size: body.length, sha256: sha256(body) });
    expect(await s3.object('data-exports/org/one.json')).toEqual(body);
    expect(await storage.stat('data-exports/org/one.json')).toMatchObject({ key: 'data-exports/org/one.json', size: body.length, lastModified: expect.any(Date) });
    expect(await read(await storage.get('data-exports/org/one.json'))).toEqual(body);
    expect(await storage.delete('data-exports/org/one.json')).toBe(true);
    expect(await storage.delete('data-exports/org/one.json')).toBe(false);
    expect(await storage.stat('data-exports/org/one.json')).toBeNull();
    await expect(storage.get('data-exports/org/one.json')).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(s3.refusals).toEqual([]);
    expect(new Set(s3.requests.map((request) => request.accessKeyId))).toEqual(new Set([STATIC.accessKeyId]));
  });

  it('streams a large body as a multipart upload and stores it byte for byte', async () => {
    const storage = new S3ObjectStorage(config);
    const chunks = Array.from({ length: 11 }, (_, index) => Buffer.alloc(1024 * 1024, index + 1));
    const whole = Buffer.concat(chunks);
    const stored = await storage.put('data-exports/org/big.zip', Readable.from(chunks));
    expect(stored).toEqual({ key: 'data-exports/org/big.zip', size: whole.length, sha256: sha256(whole) });
    const parts = s3.requests.filter((request) => request.method === 'PUT' && request.query.partNumber !== undefined);
    expect(parts.map((request) => Number(request.query.partNumber))).toEqual([1, 2, 3]);
    expect(s3.requests.some((request) => request.method === 'POST' && 'uploads' in request.query)).toBe(true);
    expect((await s3.object('data-exports/org/big.zip'))?.equals(whole)).toBe(true);
  });

  it('aborts the multipart upload when the source fails, leaving no object', async () => {
    const storage = new S3ObjectStorage(config);
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(MIN_PART_SIZE, 1);
      yield Buffer.alloc(1024, 2);
      await Promise.resolve();
      throw new Error('source broke');
    }
    await expect(storage.put('data-exports/org/broken.zip', Readable.from(failing()))).rejects.toThrow(/source broke/);
    expect(await s3.object('data-exports/org/broken.zip')).toBeNull();
    const uploadIds = new Set(s3.requests.filter((request) => request.query.uploadId).map((request) => request.query.uploadId));
    for (const uploadId of uploadIds) {
      expect(s3.requests.some((request) => request.method === 'DELETE' && request.query.uploadId === uploadId)).toBe(true);
    }
  });

  it('fails with the status when the signature does not verify, and stores nothing', async () => {
    const storage = new S3ObjectStorage({ ...config, credentials: () => Promise.resolve({ ...STATIC, secretAccessKey: 'wrong' }) });
    const failure = await storage.put('data-exports/org/nope.json', Buffer.from('x')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(S3StorageError);
    expect(failure).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(s3.refusals).toEqual(['PUT /offboarding-exports/data-exports/org/nope.json: signature does not match']);
    expect(await s3.object('data-exports/org/nope.json')).toBeNull();
  });

  it('retries throttling (503 SlowDown) and gives up after S3_MAX_ATTEMPTS', async () => {
    const storage = new S3ObjectStorage(config);
    s3.throttleNext(2);
    await storage.put('data-exports/org/retried.json', Buffer.from('after two 503s'));
    expect((await s3.object('data-exports/org/retried.json'))?.toString()).toBe('after two 503s');

    const impatient = new S3ObjectStorage({ ...config, maxAttempts: 1 });
    s3.throttleNext(1);
    await expect(impatient.put('data-exports/org/given-up.json', Buffer.from('x'))).rejects.toMatchObject({ status: 503, code: 'SlowDown' });
  });

  it('hands out a short-lived presigned download URL that serves Range requests and names the file', async () => {
    const storage = new S3ObjectStorage(config);
    const body = Buffer.from(Array.from({ length: 1000 }, (_, index) => index % 251));
    await storage.put('data-exports/org/export.zip', body);
    const url = await storage.downloadUrl('data-exports/org/export.zip', { expiresInSeconds: 2, filename: 'organization-1-export.zip', contentType: 'application/zip' });
    expect(url.startsWith(`${s3.endpoint}/${s3.bucket}/data-exports/org/export.zip?`)).toBe(true);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('2');

    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-disposition')).toBe('attachment; filename="organization-1-export.zip"');
    expect(whole.headers.get('content-type')).toBe('application/zip');
    expect(Buffer.from(await whole.arrayBuffer()).equals(body)).toBe(true);

    const part = await fetch(url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(Buffer.from(await part.arrayBuffer()).equals(body.subarray(100, 200))).toBe(true);
    expect(s3.requests.filter((request) => request.presigned).map((request) => request.range)).toEqual([null, 'bytes=100-199']);

    const tampered = new URL(url);
    tampered.searchParams.set('response-content-disposition', 'attachment; filename="other.zip"');
    expect((await fetch(tampered)).status).toBe(403);
    await waitFor(async () => (await fetch(url)).status === 403, { timeoutMs: 10_000, intervalMs: 250, description: 'the presigned URL to expire' });
    expect(s3.refusals).toEqual(expect.arrayContaining([expect.stringMatching(/signature does not match$/), expect.stringMatching(/presigned URL expired$/)]));
  });

  it('uses S3_PUBLIC_ENDPOINT for download links only', async () => {
    const settings = storageSettingsFromEnv({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: s3.bucket,
      S3_REGION: REGION,
      S3_ENDPOINT: 'http://minio.internal:9000',
      S3_PUBLIC_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: STATIC.accessKeyId,
      S3_SECRET_ACCESS_KEY: STATIC.secretAccessKey,
    });
    if (settings.driver !== 's3') throw new Error('expected s3 settings');
    const storage = new S3ObjectStorage(settings.s3);
    await new S3ObjectStorage(config).put('public/file.txt', Buffer.from('reachable'));
    const url = await storage.downloadUrl('public/file.txt', { expiresInSeconds: 60, filename: 'file.txt', contentType: 'text/plain' });
    expect(await (await fetch(url)).text()).toBe('reachable');
  });
});

/**
 * No keys configured: the SDK's default credential chain finds web identity settings (what EKS
 * IRSA injects: a projected service-account token file and a role ARN), exchanges the token at
 * STS (here a stand-in on AWS_ENDPOINT_URL_STS that verifies the token's signature and audience)
 * and signs every S3 request with the temporary credentials and their session token, which the
 * gate checks. What this does not prove: AWS's real STS and IAM policies.
 */
describe('S3ObjectStorage with web identity credentials (the default chain)', () => {
  let s3: S3Stand;
  let sts: StsStandIn;
  let dir: string;
  let issuer: { privateKey: KeyObject; publicKey: KeyObject };
  const saved: Record<string, string | undefined> = {};
  const AWS_VARIABLES = [
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_ROLE_ARN',
    'AWS_ROLE_SESSION_NAME',
    'AWS_ENDPOINT_URL_STS',
    'AWS_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_EC2_METADATA_DISABLED',
  ];
  const ROLE = 'arn:aws:iam::123456789012:role/offboarding-retention';

  const token = (key: KeyObject, audience = 'sts.amazonaws.com') =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('https://oidc.eks.example/id/TEST')
      .setSubject('system:serviceaccount:offboarding:retention')
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);

  beforeAll(async () => {
    for (const name of AWS_VARIABLES) saved[name] = process.env[name];
    dir = await fs.mkdtemp(path.join(tmpdir(), 'irsa-'));
    issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    s3 = await startS3Stand({ region: REGION });
    sts = await startStsStandIn({
      roleArn: ROLE,
      verifyToken: async (presented) => {
        await jwtVerify(presented, issuer.publicKey, { audience: 'sts.amazonaws.com', issuer: 'https://oidc.eks.example/id/TEST' });
        return true;
      },
      onIssued: (credentials) => s3.accept(credentials),
    });
  });
  afterAll(async () => {
    for (const name of AWS_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await sts?.stop();
    await s3?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const useWebIdentity = async (key: KeyObject, file: string) => {
    for (const name of AWS_VARIABLES) delete process.env[name];
    await fs.writeFile(path.join(dir, file), await token(key));
    Object.assign(process.env, {
      AWS_WEB_IDENTITY_TOKEN_FILE: path.join(dir, file),
      AWS_ROLE_ARN: ROLE,
      AWS_ROLE_SESSION_NAME: 'offboarding-retention-test',
      AWS_ENDPOINT_URL_STS: sts.endpoint,
      AWS_REGION: REGION,
      // Never fall through to a metadata service: this machine has none.
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  };
  const env = () => ({ STORAGE_DRIVER: 's3', S3_BUCKET: s3.bucket, S3_REGION: REGION, S3_ENDPOINT: s3.endpoint, S3_MAX_ATTEMPTS: '2' });

  it('exchanges the projected token at STS and signs with the temporary credentials and session token', async () => {
    await useWebIdentity(issuer.privateKey, 'token');
    const storage = objectStorageFromEnv(env());
    const body = Buffer.from('archive bytes');
    await storage.put('data-exports/org/irsa.zip', body);
    expect(await read(await storage.get('data-exports/org/irsa.zip'))).toEqual(body);
    const url = await storage.downloadUrl('data-exports/org/irsa.zip', { expiresInSeconds: 60, filename: 'irsa.zip', contentType: 'application/zip' });
    expect(Buffer.from(await (await fetch(url!, { headers: { range: 'bytes=0-6' } })).arrayBuffer()).toString()).toBe('archive');

    expect(sts.calls).toEqual([{ roleArn: ROLE, roleSessionName: 'offboarding-retention-test', tokenAccepted: true }]);
    const [issued] = sts.issued;
    expect(s3.refusals).toEqual([]);
    expect(s3.requests.length).toBeGreaterThanOrEqual(3);
    for (const request of s3.requests) expect(request).toMatchObject({ accessKeyId: issued.accessKeyId, sessionToken: issued.sessionToken });
    expect(s3.requests.at(-1)).toMatchObject({ presigned: true, range: 'bytes=0-6' });
  });

  it('fails, storing nothing, when STS refuses the token', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await useWebIdentity(stranger.privateKey, 'forged-token');
    const before = s3.requests.length;
    const failure = await objectStorageFromEnv(env())
      .put('data-exports/org/forged.zip', Buffer.from('x'))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(S3StorageError);
    expect((failure as Error).message).toMatch(/InvalidIdentityToken|could not be verified/);
    expect(sts.calls.at(-1)).toMatchObject({ tokenAccepted: false });
    expect(s3.requests.length).toBe(before);
    expect(await s3.object('data-exports/org/forged.zip')).toBeNull();
  });
});
