import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadGatewayConfig } from '../gateway-config';
import { startGateway } from '../gateway-server';
import { PUBLIC_ROUTES } from '../public-routes';

// Every public URL the product hands out is on the gateway's origin: download links, tracking
// links, the plugin update check and download. The gateway passes each request to its owner
// untouched (the owner checks signatures and keys) and streams the answer back, redirects
// included, so a later redirect to object storage reaches the client as it is.
describe('public URLs through the gateway', () => {
  const archive = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(256 * 1024, 7)]);
  const seen: { service: string; method: string; url: string; headers: http.IncomingHttpHeaders }[] = [];
  const record = (service: string, req: http.IncomingMessage) => seen.push({ service, method: req.method ?? '', url: req.url ?? '', headers: req.headers });

  const retention = http.createServer((req, res) => {
    record('retention', req);
    if (req.url?.includes('signature=good')) {
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (range) {
        const [from, to] = [Number(range[1]), Number(range[2])];
        res.writeHead(206, { 'content-type': 'application/zip', 'content-range': `bytes ${from}-${to}/${archive.length}`, 'content-length': to - from + 1 });
        res.end(archive.subarray(from, to + 1));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/zip', 'content-disposition': 'attachment; filename="export.zip"', 'content-length': archive.length });
      res.end(req.method === 'HEAD' ? undefined : archive);
    } else if (req.url?.includes('signature=stored')) {
      // What an object-storage backed download answers: a redirect to a presigned URL.
      res.writeHead(302, { location: 'https://bucket.s3.example/export.zip?X-Amz-Signature=abc' });
      res.end();
    } else {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'the link was tampered with' }));
    }
  });
  const provisioning = http.createServer((req, res) => {
    record('provisioning', req);
    if (req.url === '/t/spring') {
      res.writeHead(302, { location: 'https://landing.example/spring' });
      res.end();
    } else if (req.url?.startsWith('/t/')) {
      res.writeHead(410, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'LINK_DISABLED' }));
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url }));
    }
  });
  const listen = (server: http.Server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const urlOf = (server: http.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

  beforeAll(async () => {
    await listen(retention);
    await listen(provisioning);
  });
  afterAll(async () => {
    await new Promise((resolve) => retention.close(resolve));
    await new Promise((resolve) => provisioning.close(resolve));
  });

  it('streams downloads (ranges and HEAD too), passes refusals and redirects through, and routes tracking links and plugin calls to provisioning', async () => {
    const gateway = await startGateway(
      loadGatewayConfig({ NODE_ENV: 'test', GATEWAY_PORT: '0', HOST: '127.0.0.1', RETENTION_URL: urlOf(retention), PROVISIONING_URL: urlOf(provisioning) }),
      pino({ level: 'silent' }),
    );
    const base = gateway.url.replace(/\/graphql$/, '');
    try {
      const ok = await fetch(`${base}/exports/7c0e/download?expires=1999999999&signature=good`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toBe('application/zip');
      expect(ok.headers.get('content-disposition')).toBe('attachment; filename="export.zip"');
      expect(Buffer.from(await ok.arrayBuffer()).equals(archive)).toBe(true);

      const part = await fetch(`${base}/exports/7c0e/download?expires=1999999999&signature=good`, { headers: { range: 'bytes=4-13' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 4-13/${archive.length}`);
      expect(Buffer.from(await part.arrayBuffer()).equals(archive.subarray(4, 14))).toBe(true);

      const head = await fetch(`${base}/exports/7c0e/download?expires=1999999999&signature=good`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(archive.length));

      const refused = await fetch(`${base}/exports/7c0e/download?expires=1999999999&signature=bad`);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ message: 'the link was tampered with' });

      const stored = await fetch(`${base}/exports/7c0e/download?expires=1999999999&signature=stored`, { redirect: 'manual' });
      expect(stored.status).toBe(302);
      expect(stored.headers.get('location')).toBe('https://bucket.s3.example/export.zip?X-Amz-Signature=abc');

      const link = await fetch(`${base}/t/spring`, { redirect: 'manual', headers: { 'user-agent': 'curious-browser/1.0' } });
      expect(link.status).toBe(302);
      expect(link.headers.get('location')).toBe('https://landing.example/spring');
      expect((await fetch(`${base}/t/gone`)).status).toBe(410);

      const check = await fetch(`${base}/plugin/v1/update-check?licenseKey=LK-1&site=https%3A%2F%2Fa.example&version=1.0.0`);
      expect(await check.json()).toEqual({ path: '/plugin/v1/update-check?licenseKey=LK-1&site=https%3A%2F%2Fa.example&version=1.0.0' });
      expect(await (await fetch(`${base}/environment-exports/9f1a/download?expires=1&signature=x`)).json()).toEqual({ path: '/environment-exports/9f1a/download?expires=1&signature=x' });

      expect(seen.map(({ service, method, url }) => `${service} ${method} ${url}`)).toEqual([
        'retention GET /exports/7c0e/download?expires=1999999999&signature=good',
        'retention GET /exports/7c0e/download?expires=1999999999&signature=good',
        'retention HEAD /exports/7c0e/download?expires=1999999999&signature=good',
        'retention GET /exports/7c0e/download?expires=1999999999&signature=bad',
        'retention GET /exports/7c0e/download?expires=1999999999&signature=stored',
        'provisioning GET /t/spring',
        'provisioning GET /t/gone',
        'provisioning GET /plugin/v1/update-check?licenseKey=LK-1&site=https%3A%2F%2Fa.example&version=1.0.0',
        'provisioning GET /environment-exports/9f1a/download?expires=1&signature=x',
      ]);
      const tracked = seen.find((request) => request.url === '/t/spring')!;
      expect(tracked.headers).toMatchObject({ 'user-agent': 'curious-browser/1.0', 'x-request-id': expect.any(String), 'x-forwarded-for': expect.stringMatching(/127\.0\.0\.1/) });
      // Nothing else of the caller's goes along: no cookies, no credentials.
      const withCookie = await fetch(`${base}/t/spring`, { redirect: 'manual', headers: { cookie: 'session=1', authorization: 'Bearer x' } });
      expect(withCookie.status).toBe(302);
      expect(seen[seen.length - 1].headers.cookie).toBeUndefined();
      expect(seen[seen.length - 1].headers.authorization).toBeUndefined();
    } finally {
      await gateway.stop();
    }
  });

  it('answers 502 in a clear shape when the owner is down', async () => {
    const gateway = await startGateway(
      loadGatewayConfig({ NODE_ENV: 'test', GATEWAY_PORT: '0', HOST: '127.0.0.1', PROVISIONING_URL: 'http://127.0.0.1:1/graphql' }),
      pino({ level: 'silent' }),
    );
    try {
      const answer = await fetch(`${gateway.url.replace(/\/graphql$/, '')}/t/spring`, { redirect: 'manual' });
      expect(answer.status).toBe(502);
      expect(await answer.json()).toMatchObject({ status: 'SERVICE_UNAVAILABLE' });
    } finally {
      await gateway.stop();
    }
  });

  it('lists each public route once', () => {
    expect(new Set(PUBLIC_ROUTES.map((route) => route.path)).size).toBe(PUBLIC_ROUTES.length);
  });
});
