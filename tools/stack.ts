import { type ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { pgliteTemplate } from '@offboarding/persistence';

// The embedded stack: the dev Kafka broker, the four subgraph services and the gateway, each a
// separate process, started in dependency order and stopped in reverse. `npm start` and the
// end-to-end test both use it.
//
// Each process runs in a process group of its own, so Ctrl-C in a terminal (SIGINT to the
// terminal's foreground group) reaches only the supervisor, which stops the stack in order:
// the gateway (no new requests), then the services together (each finishes its requests, commits
// and flushes to the broker), then the broker. Each process also stops by itself when its
// supervisor is gone (its IPC channel closes), so a killed supervisor leaves nothing behind.

const root = path.resolve(__dirname, '..');
export const SERVICES = ['entitlements', 'provisioning', 'identity', 'retention'] as const;
export type StackService = (typeof SERVICES)[number];
export type StackProcess = 'kafka' | StackService | 'gateway';

/** Stop order: a higher tier stops first, a tier's processes together. */
const TIER: Record<StackProcess, number> = { gateway: 2, entitlements: 1, provisioning: 1, identity: 1, retention: 1, kafka: 0 };
/** How often readiness is asked while a process starts (also the benchmark's resolution). */
export const READY_POLL_MS = 50;
/** How long a process may take to stop gracefully before it is killed. */
const STOP_TIMEOUT_MS = 20_000;

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
  /** Aborts the start (Ctrl-C while starting): what runs already is stopped, then startStack rejects. */
  signal?: AbortSignal;
}

export interface RunningStack {
  readonly graphqlUrl: string;
  readonly kafkaBrokers: string;
  readonly serviceUrls: Record<StackService, string>;
  /** Settles when any process exits while the stack is meant to run. */
  readonly crashed: Promise<string>;
  /** The processes still running, in start order. */
  running(): StackProcess[];
  /**
   * Kills one process (SIGKILL unless told otherwise), starts it again and waits until it is
   * ready, as an orchestrator does after a crash; readyMs counts from the signal.
   */
  restart(name: StackProcess, signal?: NodeJS.Signals): Promise<{ readyMs: number }>;
  /** Stops everything gracefully, in order: gateway, services, broker. */
  stop(): Promise<void>;
  /** Kills whatever still runs, at once (a second Ctrl-C). */
  kill(): void;
}

interface Child {
  name: StackProcess;
  process: ChildProcess;
  /** Settles once the process exited and everything it wrote was read. */
  closed: Promise<number | null>;
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, DATA_DIR: options.dataDir };
  const log = options.onLog ?? ((line: string) => process.stdout.write(`${line}\n`));
  const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
  const children = new Map<StackProcess, Child>();
  const launches = new Map<StackProcess, { entry: string; env: NodeJS.ProcessEnv; ready: () => Promise<boolean> }>();
  /** Processes meant to exit now (stopping, or a restart): their exit is no crash. */
  const leaving = new Set<ChildProcess>();
  let stopping = false;
  let reportCrash: (name: string) => void = () => undefined;
  const crashed = new Promise<string>((resolve) => (reportCrash = resolve));
  const note = (message: string) => log(formatLine('stack', message));

  const launch = (name: StackProcess): Child => {
    const { entry, env: childEnv } = launches.get(name)!;
    const args = ['--enable-source-maps', '-r', path.join(root, 'tools/register.js'), path.join(root, entry)];
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: childEnv,
      // A group of its own (no terminal signals) and an IPC channel (closes when we are gone).
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => log(formatLine(name, line)));
    }
    const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    void closed.then((code) => {
      if (children.get(name)?.process === child) children.delete(name);
      if (!stopping && !leaving.has(child)) {
        note(`${name} exited unexpectedly (code ${code})`);
        reportCrash(name);
      }
    });
    const handle = { name, process: child, closed };
    children.set(name, handle);
    return handle;
  };

  /** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS, saying so. */
  const stopChild = async (child: Child, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    leaving.add(child.process);
    if (child.process.exitCode !== null || child.process.signalCode !== null) return void (await child.closed);
    child.process.kill(signal);
    const timer = setTimeout(() => {
      note(`${child.name} did not stop within ${STOP_TIMEOUT_MS / 1000} s: killed`);
      child.process.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    await child.closed;
    clearTimeout(timer);
  };

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const tier of [2, 1, 0]) {
      const group = [...children.values()].filter((child) => TIER[child.name] === tier);
      if (group.length === 0) continue;
      note(`stopping ${group.map((child) => child.name).join(', ')}`);
      await Promise.all(group.map((child) => stopChild(child)));
    }
    note('stopped');
  };

  const kill = (): void => {
    stopping = true;
    for (const child of children.values()) child.process.kill('SIGKILL');
  };

  const waitReady = (name: StackProcess) =>
    waitUntil(launches.get(name)!.ready, readyTimeoutMs, name === 'kafka' ? 'the dev Kafka broker' : name, crashed, options.signal);

  const restart = async (name: StackProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<{ readyMs: number }> => {
    const child = children.get(name);
    const signalled = performance.now();
    if (child) await stopChild(child, signal);
    launch(name);
    await waitReady(name);
    return { readyMs: performance.now() - signalled };
  };

  try {
    const external = Boolean(env.KAFKA_BROKERS);
    const kafkaBrokers = env.KAFKA_BROKERS || `localhost:${options.brokerPort}`;
    if (!external) {
      launches.set('kafka', {
        entry: 'libs/dev-broker/src/main.ts',
        env: { ...env, KAFKA_DEV_PORT: String(options.brokerPort), KAFKA_DEV_DATA_DIR: path.join(options.dataDir, 'kafka') },
        ready: () => portOpen(options.brokerPort),
      });
      launch('kafka');
      await waitReady('kafka');
    }
    // Four services building the same template at once would each run initdb for tens of seconds.
    if (!env.DATABASE_URL) await pgliteTemplate();

    const serviceUrls = {} as Record<StackService, string>;
    const gatewayEnv: NodeJS.ProcessEnv = { ...env, GATEWAY_PORT: String(options.gatewayPort) };
    // One public origin: every link a service hands out points at the gateway, which routes it back.
    const publicBaseUrl = env.PUBLIC_BASE_URL || `http://localhost:${options.gatewayPort}`;
    SERVICES.forEach((service, index) => {
      serviceUrls[service] = `http://localhost:${options.firstServicePort + index}`;
      gatewayEnv[`${service.toUpperCase()}_URL`] = `${serviceUrls[service]}/graphql`;
    });
    SERVICES.forEach((service, index) => {
      launches.set(service, {
        entry: `apps/${service}/src/main.ts`,
        env: {
          ...env,
          KAFKA_BROKERS: kafkaBrokers,
          [`${service.toUpperCase()}_PORT`]: String(options.firstServicePort + index),
          // Every subgraph verifies access tokens against identity's public keys.
          IDENTITY_URL: `${serviceUrls.identity}/graphql`,
          PUBLIC_BASE_URL: publicBaseUrl,
          // Exports gather every service's collections; masking keys come from retention.
          ...Object.fromEntries(SERVICES.map((name) => [`${name.toUpperCase()}_INTERNAL_URL`, env[`${name.toUpperCase()}_INTERNAL_URL`] || serviceUrls[name]])),
        },
        ready: () => httpOk(`${serviceUrls[service]}/health/ready`),
      });
      launch(service);
    });
    await Promise.all(SERVICES.map((service) => waitReady(service)));

    const gatewayBase = `http://localhost:${options.gatewayPort}`;
    launches.set('gateway', { entry: 'apps/gateway/src/main.ts', env: gatewayEnv, ready: () => httpOk(`${gatewayBase}/health/ready`) });
    launch('gateway');
    await waitReady('gateway');

    return {
      graphqlUrl: `${gatewayBase}/graphql`,
      kafkaBrokers,
      serviceUrls,
      crashed,
      running: () => [...children.keys()],
      restart,
      stop,
      kill,
    };
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
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const exited: { name: string | null } = { name: null };
  void crashed.then((name) => (exited.name = name));
  while (!(await probe())) {
    if (signal?.aborted) throw new Error(`stopped while waiting for ${what}`);
    if (exited.name) throw new Error(`${exited.name} exited while waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

/** Whether something accepts connections on the port (127.0.0.1). */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether a GET answers 2xx within 2 s. */
export async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}
