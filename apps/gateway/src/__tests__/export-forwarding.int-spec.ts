import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadGatewayConfig } from '../gateway-config';
import { startGateway } from '../gateway-server';

// Export download links point at the gateway; it forwards them to retention untouched (the
// signature is checked there) and streams the answer back.
describe('export downloads through the gateway', () => {
  const archive = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(256 * 1024, 7)]);
  const seen: string[] = [];
  const retention = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url?.includes('signature=stored')) {
      res.writeHead(302, { location: 'https://bucket.s3.example/export.zip?X-Amz-Signature=abc', 'cache-control': 'no-store' });
      res.end();
    } else if (req.url?.includes('signature=good')) {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-disposition': 'attachment; filename="export.zip"', 'content-length': archive.length });
      res.end(archive);
    } else {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'the link was tampered with' }));
    }
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => retention.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => retention.close(resolve));
  });

  it('streams the archive, passes refusals through, and passes a redirect to object storage on to the client', async () => {
    const { port } = retention.address() as AddressInfo;
    const gateway = await startGateway(
      loadGatewayConfig({ NODE_ENV: 'test', GATEWAY_PORT: '0', HOST: '127.0.0.1', RETENTION_URL: `http://127.0.0.1:${port}/graphql` }),
      pino({ level: 'silent' }),
    );
    const base = gateway.url.replace(/\/graphql$/, '');
    try {
      const ok = await fetch(`${base}/exports/7c0e/download?expires=1999999999&signature=good`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toBe('application/zip');
      expect(ok.headers.get('content-disposition')).toBe('attachment; filename="export.zip"');
      expect(Buffer.from(await ok.arrayBuffer()).equals(archive)).toBe(true);

      const refused = await fetch(`${base}/exports/7c0e/download?expires=1999999999&signature=bad`);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ message: 'the link was tampered with' });
      expect(seen).toEqual(['/exports/7c0e/download?expires=1999999999&signature=good', '/exports/7c0e/download?expires=1999999999&signature=bad']);

      // From object storage retention redirects to a presigned URL; the client gets that redirect.
      const redirected = await fetch(`${base}/exports/7c0e/download?expires=1999999999&signature=stored`, { redirect: 'manual' });
      expect(redirected.status).toBe(302);
      expect(redirected.headers.get('location')).toBe('https://bucket.s3.example/export.zip?X-Amz-Signature=abc');
      expect(redirected.headers.get('cache-control')).toBe('no-store');
    } finally {
      await gateway.stop();
    }
  });
});
