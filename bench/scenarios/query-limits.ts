import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { freePortBlock, TestIdentity, waitFor } from '@offboarding/testing';
import { HOSTILE_DOCUMENTS } from '../../apps/gateway/src/__tests__/hostile-documents';
import { check, type Figure, interleaved, median, percentile, type RoundResult, type Scenario } from '../harness';

// The worst documents we can construct, sent anonymously to our gateway (its own process, as in
// production): each must be refused within 50 ms, and a liveness probe sent over and over while
// it is handled must be answered within 50 ms too (p95). The baseline is the same gateway refusing a
// harmless document of the same size (an unknown field and a comment), with the same probes: what
// reading and refusing that many bytes costs on this machine.

const root = path.resolve(__dirname, '../..');
/** Sends of each document per round, after one unmeasured send that warms its code paths. */
const SENDS = 5;
/** Pause between two liveness probes while a document is in flight. */
const PROBE_INTERVAL_MS = 2;
const BASELINE_QUERY = '{ nope }';

/** An unknown field padded with a comment to the length of a hostile document. */
function harmless(length: number): string {
  return `${BASELINE_QUERY} #${'x'.repeat(Math.max(0, length - BASELINE_QUERY.length - 2))}`;
}

interface Gateway {
  url: string;
  base: string;
  stop(): Promise<void>;
}

interface Shared {
  identity: TestIdentity;
  gateway: Gateway;
}

let shared: Promise<Shared> | null = null;

async function startGateway(identityUrl: string): Promise<Gateway> {
  const port = await freePortBlock(1);
  const child: ChildProcess = spawn(process.execPath, ['-r', path.join(root, 'tools/register.js'), path.join(root, 'apps/gateway/src/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      INTERNAL_API_TOKEN: 'benchmark-internal-token-of-32-characters',
      LOG_LEVEL: 'error',
      HOST: '127.0.0.1',
      GATEWAY_PORT: String(port),
      IDENTITY_URL: identityUrl,
      // Unreachable subgraphs: everything measured here is decided by the gateway itself.
      ENTITLEMENTS_URL: 'http://127.0.0.1:1/graphql',
      PROVISIONING_URL: 'http://127.0.0.1:1/graphql',
      RETENTION_URL: 'http://127.0.0.1:1/graphql',
      // One client sends everything: the per-caller rate limit must not be what answers.
      RATE_LIMIT_BURST: '1000000',
      RATE_LIMIT_PER_MINUTE: '1000000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) readline.createInterface({ input: stream }).on('line', (line) => lines.push(line));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`the gateway exited with code ${child.exitCode}: ${lines.slice(-5).join('\n')}`);
        return (await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(2_000) }).catch(() => null))?.ok ?? false;
      },
      { timeoutMs: 60_000, intervalMs: 200, description: 'the gateway to be ready' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `${base}/graphql`, base, stop };
}

async function setUp(): Promise<Shared> {
  const identity = await TestIdentity.start();
  try {
    return { identity, gateway: await startGateway(identity.graphqlUrl) };
  } catch (error) {
    await identity.stop();
    throw error;
  }
}

interface Sent {
  refusalMs: number;
  probeMs: number[];
}

/** POSTs one document and probes /health/live back to back until its answer is in; checks the refusal's code. */
async function send(gateway: Gateway, query: string, code: string): Promise<Sent> {
  const probeMs: number[] = [];
  let answered = false;
  const probing = (async () => {
    // At least one probe, even when the refusal is faster than the first one.
    do {
      const started = performance.now();
      const response = await fetch(`${gateway.base}/health/live`);
      await response.arrayBuffer();
      check(response.ok, `the liveness probe answered ${response.status}`);
      probeMs.push(performance.now() - started);
      if (!answered) await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    } while (!answered);
  })();
  const started = performance.now();
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  const refusalMs = performance.now() - started;
  answered = true;
  await probing;
  check(response.status === 400 && body.errors?.[0]?.extensions?.code === code, `refused with ${code} (got ${response.status} ${body.errors?.[0]?.extensions?.code})`);
  return { refusalMs, probeMs };
}

/** Per document the median of its sends, so one scheduling hiccup of a shared machine is not a document's time. */
function figures(byDocument: Sent[][]): Record<string, Figure> {
  const probes = byDocument.flat().flatMap((one) => one.probeMs);
  return {
    'slowest document': { unit: 'ms', value: Math.max(...byDocument.map((sends) => median(sends.map((one) => one.refusalMs)))) },
    'probe p95': { unit: 'ms', value: percentile(probes, 95) },
    'slowest refusal': { unit: 'ms', value: Math.max(...byDocument.flat().map((one) => one.refusalMs)) },
    'slowest probe': { unit: 'ms', value: Math.max(...probes) },
    probes: { unit: 'answered', value: probes.length },
  };
}

export const queryLimitsScenario: Scenario = {
  name: 'query limits (hostile documents)',
  describe: () => ({
    ours: `${HOSTILE_DOCUMENTS.length} hostile documents (fan-out 2^22, alias bombs, deep nesting, 20,000 directives, ~1 MB documents, huge pages …), each sent ${SENDS}× anonymously to our gateway process, a /health/live probe every ${PROBE_INTERVAL_MS} ms while each is handled`,
    baseline: `the same gateway refusing \`${BASELINE_QUERY}\` (an unknown field) padded with a comment to each hostile document's size, as often, with the same probes`,
  }),
  // Every hostile document refused within 50 ms (the median of its sends) and at most 3× what
  // refusing a harmless document of its size costs; the liveness probes answered within 50 ms
  // (p95) meanwhile.
  target: {
    figure: 'slowest document',
    max: 3,
    absolute: [
      { figure: 'slowest document', max: 50 },
      { figure: 'probe p95', max: 50 },
    ],
  },
  async round(_context, index): Promise<RoundResult> {
    shared ??= setUp();
    const { gateway } = await shared;
    const ours = async () => {
      const byDocument: Sent[][] = [];
      for (const document of HOSTILE_DOCUMENTS) {
        await send(gateway, document.query, document.code);
        const sends: Sent[] = [];
        for (let i = 0; i < SENDS; i += 1) sends.push(await send(gateway, document.query, document.code));
        byDocument.push(sends);
      }
      return figures(byDocument);
    };
    const baseline = async () => {
      const byDocument: Sent[][] = [];
      for (const document of HOSTILE_DOCUMENTS) {
        const query = harmless(document.query.length);
        await send(gateway, query, 'GRAPHQL_VALIDATION_FAILED');
        const sends: Sent[] = [];
        for (let i = 0; i < SENDS; i += 1) sends.push(await send(gateway, query, 'GRAPHQL_VALIDATION_FAILED'));
        byDocument.push(sends);
      }
      return figures(byDocument);
    };
    return interleaved(index, ours, baseline);
  },
  async teardown() {
    if (!shared) return;
    const { identity, gateway } = await shared;
    shared = null;
    await gateway.stop();
    await identity.stop();
  },
};
