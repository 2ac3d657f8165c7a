import { type ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { pgliteTemplate } from '@offboarding/persistence';

// The embedded stack: the dev Kafka broker, the four subgraph services and the gateway, each a
// separate process, started in dependency order and stopped in reverse. `npm start` and the
// end-to-end test both use it.

const root = path.resolve(__dirname, '..');
const SERVICES = ['entitlements', 'provisioning', 'identity', 'retention'] as const;

export interface StackOptions {
  /** Where embedded databases and the broker's log live (default `.data`). */
  dataDir: string;
  gatewayPort: number;
  /** Subgraph ports are consecutive from here, in SERVICES order. */
  firstServicePort: number;
  /** Port of the dev broker; ignored when KAFKA_BROKERS points at a real cluster. */
  brokerPort: number;
  env?: NodeJS.ProcessEnv;
  /** Receives every log line, already prefixed with the process name. */
  onLog?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface RunningStack {
  readonly graphqlUrl: string;
  readonly kafkaBrokers: string;
  readonly serviceUrls: Record<(typeof SERVICES)[number], string>;
  /** Settles when any process exits while the stack is meant to run. */
  readonly crashed: Promise<string>;
  stop(): Promise<void>;
}

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<number | null>;
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, DATA_DIR: options.dataDir };
  const log = options.onLog ?? ((line: string) => process.stdout.write(`${line}\n`));
  const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
  const children: Child[] = [];
  let stopping = false;
  let reportCrash: (name: string) => void = () => undefined;
  const crashed = new Promise<string>((resolve) => (reportCrash = resolve));

  const launch = (name: string, entry: string, childEnv: NodeJS.ProcessEnv): Child => {
    const args = ['--enable-source-maps', '-r', path.join(root, 'tools/register.js'), path.join(root, entry)];
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => log(formatLine(name, line)));
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    void exited.then((code) => {
      if (!stopping) {
        log(formatLine('stack', `${name} exited unexpectedly (code ${code})`));
        reportCrash(name);
      }
    });
    const handle = { name, process: child, exited };
    children.push(handle);
    return handle;
  };

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // Reverse start order: the gateway stops taking requests before the services go away.
    for (const child of [...children].reverse()) {
      if (child.process.exitCode === null && child.process.signalCode === null) {
        child.process.kill('SIGTERM');
        const timer = setTimeout(() => child.process.kill('SIGKILL'), 15_000);
        await child.exited;
        clearTimeout(timer);
      }
    }
  };

  try {
    const external = Boolean(env.KAFKA_BROKERS);
    const kafkaBrokers = env.KAFKA_BROKERS || `localhost:${options.brokerPort}`;
    if (!external) {
      launch('kafka', 'libs/dev-broker/src/main.ts', {
        ...env,
        KAFKA_DEV_PORT: String(options.brokerPort),
        KAFKA_DEV_DATA_DIR: path.join(options.dataDir, 'kafka'),
      });
      await waitUntil(() => portOpen(options.brokerPort), readyTimeoutMs, 'the dev Kafka broker', crashed);
    }
    // Four services building the same template at once would each run initdb for tens of seconds.
    if (!env.DATABASE_URL) await pgliteTemplate();

    const serviceUrls = {} as Record<(typeof SERVICES)[number], string>;
    const gatewayEnv: NodeJS.ProcessEnv = { ...env, GATEWAY_PORT: String(options.gatewayPort) };
    // One public origin: every link a service hands out points at the gateway, which routes it back.
    const publicBaseUrl = env.PUBLIC_BASE_URL || `http://localhost:${options.gatewayPort}`;
    SERVICES.forEach((service, index) => {
      serviceUrls[service] = `http://localhost:${options.firstServicePort + index}`;
      gatewayEnv[`${service.toUpperCase()}_URL`] = `${serviceUrls[service]}/graphql`;
    });
    SERVICES.forEach((service, index) => {
      launch(service, `apps/${service}/src/main.ts`, {
        ...env,
        KAFKA_BROKERS: kafkaBrokers,
        [`${service.toUpperCase()}_PORT`]: String(options.firstServicePort + index),
        // Every subgraph verifies access tokens against identity's public keys.
        IDENTITY_URL: `${serviceUrls.identity}/graphql`,
        PUBLIC_BASE_URL: publicBaseUrl,
        // Exports gather every service's collections; masking keys come from retention.
        ...Object.fromEntries(SERVICES.map((name) => [`${name.toUpperCase()}_INTERNAL_URL`, env[`${name.toUpperCase()}_INTERNAL_URL`] || serviceUrls[name]])),
      });
    });
    await Promise.all(
      SERVICES.map((service) =>
        waitUntil(() => httpOk(`${serviceUrls[service]}/health/ready`), readyTimeoutMs, service, crashed),
      ),
    );

    launch('gateway', 'apps/gateway/src/main.ts', gatewayEnv);
    const gatewayBase = `http://localhost:${options.gatewayPort}`;
    await waitUntil(() => httpOk(`${gatewayBase}/health/ready`), readyTimeoutMs, 'the gateway', crashed);

    return { graphqlUrl: `${gatewayBase}/graphql`, kafkaBrokers, serviceUrls, crashed, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `[service] level message {context}` for JSON log lines; other lines pass through prefixed. */
export function formatLine(name: string, line: string): string {
  const prefix = `[${name}]`.padEnd(15);
  if (!line.startsWith('{')) return `${prefix} ${line}`;
  try {
    const { level, msg, time: _time, service: _service, ...context } = JSON.parse(line) as Record<string, unknown>;
    const rest = Object.keys(context).length > 0 ? ` ${JSON.stringify(context)}` : '';
    const text = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);
    return `${prefix} ${text(level, 'info').padEnd(5)} ${text(msg, '')}${rest}`;
  } catch {
    return `${prefix} ${line}`;
  }
}

async function waitUntil(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  crashed: Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const exited: { name: string | null } = { name: null };
  void crashed.then((name) => (exited.name = name));
  while (!(await probe())) {
    if (exited.name) throw new Error(`${exited.name} exited while waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}
