import { createHash, createHmac, randomBytes, type Hash, type Hmac } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';

// Test stand-ins for object storage in the cloud, all on 127.0.0.1 and port 0:
// - s3rver, an independent S3-compatible server (objects, multipart, Range, presigned expiry);
// - an S3 gate in front of it that verifies every AWS Signature V4 (header and presigned) with
//   the AWS SDK's own signer (@smithy/signature-v4), because s3rver checks only the access key
//   id; it can also answer with throttling (503 SlowDown) to prove retries;
// - an STS stand-in answering AssumeRoleWithWebIdentity the way AWS STS does, for the SDK's web
//   identity credential provider (EKS IRSA), checking the token it is given.

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** s3rver's only account; the gate lets it through after checking the real credentials. */
const S3RVER_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function s3Error(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/xml' });
  response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

/** "20250101T120000Z" → Date. */
function amzDate(value: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return new Date(Number.NaN);
  const [, y, mo, d, h, mi, s] = match;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

export interface GatedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  accessKeyId: string;
  sessionToken: string | null;
  presigned: boolean;
  range: string | null;
}

export interface S3Stand {
  /** The gate's URL: what S3_ENDPOINT points at. */
  endpoint: string;
  bucket: string;
  /** Every request the gate let through, in order. */
  readonly requests: GatedRequest[];
  /** Every refusal: why the gate answered 403. */
  readonly refusals: string[];
  /** Credentials the gate accepts; add the ones an STS stand-in hands out. */
  accept(credentials: S3Credentials): void;
  /** Answers the next `count` requests with 503 SlowDown before checking anything. */
  throttleNext(count: number): void;
  /** What s3rver holds under `key`, read directly from it (bypassing the gate). */
  object(key: string): Promise<Buffer | null>;
  stop(): Promise<void>;
}

/**
 * s3rver with one bucket behind a gate that verifies AWS Signature V4. A request signed with
 * unknown keys, a wrong secret, a missing or wrong session token, a tampered payload hash or an
 * expired presigned URL gets 403, as from S3.
 */
export async function startS3Stand(options: { bucket?: string; region?: string; credentials?: S3Credentials[] } = {}): Promise<S3Stand> {
  const bucket = options.bucket ?? 'offboarding-exports';
  const region = options.region ?? 'eu-central-1';
  const directory = await fs.mkdtemp(path.join(tmpdir(), 's3rver-'));
  // s3rver is CommonJS without types; this is the whole surface used.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver') as new (options: object) => { run(): Promise<{ address: string; port: number }>; close(): Promise<void> };
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port: s3rverPort } = await s3rver.run();

  const accepted = new Map<string, S3Credentials>((options.credentials ?? []).map((credentials) => [credentials.accessKeyId, credentials]));
  const requests: GatedRequest[] = [];
  const refusals: string[] = [];
  let throttled = 0;

  const verify = async (request: IncomingMessage, url: URL, body: Buffer): Promise<{ accessKeyId: string; sessionToken: string | null; presigned: boolean } | string> => {
    const query = Object.fromEntries(url.searchParams);
    const presigned = 'X-Amz-Signature' in query;
    const authorization = request.headers.authorization ?? '';
    const header = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
    const [accessKeyId, scopeRegion, signedHeaders, signature, date] = presigned
      ? [query['X-Amz-Credential']?.split('/')[0], query['X-Amz-Credential']?.split('/')[2], query['X-Amz-SignedHeaders'], query['X-Amz-Signature'], query['X-Amz-Date']]
      : header
        ? [header[1], header[3], header[4], header[5], String(request.headers['x-amz-date'] ?? '')]
        : [];
    if (!accessKeyId || !signedHeaders || !signature || !date) return 'no AWS Signature V4';
    const credentials = accepted.get(accessKeyId);
    if (!credentials) return `unknown access key ${accessKeyId}`;
    if (scopeRegion !== region) return `signed for region ${scopeRegion}, the bucket is in ${region}`;
    const sessionToken = presigned ? (query['X-Amz-Security-Token'] ?? null) : ((request.headers['x-amz-security-token'] as string | undefined) ?? null);
    if ((credentials.sessionToken ?? null) !== sessionToken) return 'missing or wrong session token';
    const signingDate = amzDate(date);
    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) headers[name] = String(request.headers[name] ?? '');
    if (!presigned && headers['x-amz-content-sha256'] !== undefined && headers['x-amz-content-sha256'] !== 'UNSIGNED-PAYLOAD') {
      if (headers['x-amz-content-sha256'] !== createHash('sha256').update(body).digest('hex')) return 'payload hash mismatch';
    }
    const signer = new SignatureV4({ service: 's3', region, credentials, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
    // What presign() adds itself; anything else in the query (X-Amz-Content-Sha256 included) was signed as given.
    const unsigned = { ...query };
    for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Security-Token', 'X-Amz-Signature']) delete unsigned[name];
    const base = { method: request.method ?? 'GET', protocol: 'http:', hostname: '127.0.0.1', port: Number(url.port), path: url.pathname, query: unsigned, headers, body: undefined };
    let expected: string | undefined;
    if (presigned) {
      // S3's presigner signs the query's X-Amz-Content-Sha256 and uses it as the payload hash.
      const contentHash = unsigned['X-Amz-Content-Sha256'];
      if (contentHash !== undefined) headers['x-amz-content-sha256'] = contentHash;
      const expiresIn = Number(query['X-Amz-Expires']);
      if (signingDate.getTime() + expiresIn * 1000 < Date.now()) return 'presigned URL expired';
      const payloadHeader = new Set(['x-amz-content-sha256']);
      const signed = await signer.presign(base, {
        signingDate,
        expiresIn,
        signableHeaders: new Set(signedHeaders.split(';')),
        unsignableHeaders: payloadHeader,
        unhoistableHeaders: payloadHeader,
      });
      expected = signed.query?.['X-Amz-Signature'] as string | undefined;
    } else {
      const signed = await signer.sign(base, { signingDate, signableHeaders: new Set(signedHeaders.split(';')) });
      expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1];
    }
    if (expected !== signature) return 'signature does not match';
    return { accessKeyId, sessionToken, presigned };
  };

  const gate = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (throttled > 0) {
        throttled -= 1;
        return s3Error(response, 503, 'SlowDown', 'Please reduce your request rate.');
      }
      const verdict = await verify(request, url, body);
      if (typeof verdict === 'string') {
        refusals.push(`${request.method} ${url.pathname}: ${verdict}`);
        return s3Error(response, 403, verdict.includes('expired') ? 'AccessDenied' : 'SignatureDoesNotMatch', verdict);
      }
      requests.push({ method: request.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), range: request.headers.range ?? null, ...verdict });
      // s3rver knows one account and does not check signatures; it gets its own key id.
      const headers = { ...request.headers };
      delete headers.authorization;
      delete headers['x-amz-security-token'];
      const forwardUrl = new URL(url);
      for (const name of [...forwardUrl.searchParams.keys()]) if (name.startsWith('X-Amz-')) forwardUrl.searchParams.delete(name);
      if (verdict.presigned) {
        forwardUrl.searchParams.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256');
        forwardUrl.searchParams.set('X-Amz-Credential', `${S3RVER_KEYS.accessKeyId}/20000101/${region}/s3/aws4_request`);
        forwardUrl.searchParams.set('X-Amz-Date', url.searchParams.get('X-Amz-Date')!);
        forwardUrl.searchParams.set('X-Amz-Expires', url.searchParams.get('X-Amz-Expires')!);
        forwardUrl.searchParams.set('X-Amz-SignedHeaders', 'host');
        forwardUrl.searchParams.set('X-Amz-Signature', '0'.repeat(64));
      } else {
        headers.authorization = `AWS4-HMAC-SHA256 Credential=${S3RVER_KEYS.accessKeyId}/20000101/${region}/s3/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`;
      }
      const upstream = httpRequest(
        { host: '127.0.0.1', port: s3rverPort, method: request.method, path: `${forwardUrl.pathname}${forwardUrl.search}`, headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', (error) => s3Error(response, 502, 'BadGateway', error.message));
      upstream.end(body);
    })().catch((error: unknown) => s3Error(response, 500, 'InternalError', String(error)));
  });
  const gatePort = await listen(gate);

  return {
    endpoint: `http://127.0.0.1:${gatePort}`,
    bucket,
    requests,
    refusals,
    accept: (credentials) => void accepted.set(credentials.accessKeyId, credentials),
    throttleNext: (count) => void (throttled = count),
    async object(key) {
      return new Promise((resolve, reject) => {
        const get = httpRequest(
          {
            host: '127.0.0.1',
            port: s3rverPort,
            path: `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
            headers: {
              authorization: `AWS4-HMAC-SHA256 Credential=${S3RVER_KEYS.accessKeyId}/20000101/${region}/s3/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
              'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
              'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
            },
          },
          (answer) => {
            if (answer.statusCode === 404) {
              answer.resume();
              resolve(null);
              return;
            }
            void readBody(answer).then(resolve, reject);
          },
        );
        get.on('error', reject);
        get.end();
      });
    },
    async stop() {
      gate.closeAllConnections();
      await new Promise<void>((resolve) => gate.close(() => resolve()));
      await s3rver.close();
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}

export interface StsStandIn {
  /** What AWS_ENDPOINT_URL_STS points at. */
  endpoint: string;
  /** The role the stand-in lets a valid token assume. */
  roleArn: string;
  /** Every AssumeRoleWithWebIdentity call: the role, the session name and whether the token verified. */
  readonly calls: { roleArn: string; roleSessionName: string; tokenAccepted: boolean }[];
  /** The temporary credentials handed out so far. */
  readonly issued: S3Credentials[];
  stop(): Promise<void>;
}

/**
 * AWS STS's AssumeRoleWithWebIdentity as the SDK's web identity provider calls it (form POST,
 * XML answer). `verifyToken` decides whether the projected service-account token is genuine;
 * a refused token gets STS's InvalidIdentityToken. Each success hands out fresh temporary
 * credentials (access key, secret, session token), given to `onIssued` (e.g. the S3 gate).
 */
export async function startStsStandIn(options: {
  roleArn: string;
  verifyToken: (token: string) => Promise<boolean>;
  onIssued: (credentials: S3Credentials) => void;
  lifetimeSeconds?: number;
}): Promise<StsStandIn> {
  const calls: StsStandIn['calls'] = [];
  const issued: S3Credentials[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const form = new URLSearchParams((await readBody(request)).toString('utf8'));
      const action = form.get('Action');
      const roleArn = form.get('RoleArn') ?? '';
      const roleSessionName = form.get('RoleSessionName') ?? '';
      const token = form.get('WebIdentityToken') ?? '';
      const fail = (status: number, code: string, message: string) => {
        response.writeHead(status, { 'content-type': 'text/xml' });
        response.end(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomBytes(8).toString('hex')}</RequestId></ErrorResponse>`);
      };
      if (action !== 'AssumeRoleWithWebIdentity') return fail(400, 'InvalidAction', `unsupported action ${action}`);
      const tokenAccepted = await options.verifyToken(token).catch(() => false);
      calls.push({ roleArn, roleSessionName, tokenAccepted });
      if (!tokenAccepted) return fail(400, 'InvalidIdentityToken', 'the web identity token could not be verified');
      if (roleArn !== options.roleArn) return fail(403, 'AccessDenied', `not authorized to assume ${roleArn}`);
      const credentials = {
        accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
        secretAccessKey: randomBytes(30).toString('base64'),
        sessionToken: randomBytes(64).toString('base64'),
      };
      issued.push(credentials);
      options.onIssued(credentials);
      const expiration = new Date(Date.now() + (options.lifetimeSeconds ?? 3600) * 1000).toISOString();
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(`<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>test-subject</SubjectFromWebIdentityToken>
    <AssumedRoleUser><Arn>${roleArn}/${roleSessionName}</Arn><AssumedRoleId>AROATEST:${roleSessionName}</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${credentials.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>
      <SessionToken>${credentials.sessionToken}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <Audience>sts.amazonaws.com</Audience>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>${randomBytes(8).toString('hex')}</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`);
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  const port = await listen(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    roleArn: options.roleArn,
    calls,
    issued,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
