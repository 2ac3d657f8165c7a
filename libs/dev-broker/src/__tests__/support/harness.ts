import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { startDevBroker, type DevBroker, type DevBrokerOptions } from '../../index';
import { waitFor as poll } from '@offboarding/testing';

export interface TestBroker {
  readonly broker: DevBroker;
  readonly dataDir: string;
  /** Starts another broker on the same data directory (after `close()`), e.g. to test restarts. */
  restart(): Promise<DevBroker>;
}

export async function makeDataDir(prefix = 'dev-broker-'): Promise<string> {
  return fs.mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** A broker on an ephemeral port with its own temporary data directory. */
export async function startTestBroker(options: DevBrokerOptions = {}): Promise<TestBroker> {
  const dataDir = await makeDataDir();
  const start = (): Promise<DevBroker> => startDevBroker({ port: 0, dataDir, defaultPartitions: 3, ...options });
  const broker = await start();
  return { broker, dataDir, restart: start };
}

export function kafkaClient(brokers: string, clientId = 'dev-broker-test', extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    brokers: [brokers],
    clientId,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 8 },
    ...extra,
  });
}

/** Settings that make kafkajs consumer groups react in well under a second. */
export const FAST_CONSUMER = {
  sessionTimeout: 10_000,
  rebalanceTimeout: 10_000,
  heartbeatInterval: 250,
  maxWaitTimeInMs: 200,
  retry: { initialRetryTime: 100, retries: 8 },
} as const;

/**
 * The shared `waitFor` of @offboarding/testing with the argument order and truthiness these
 * tests use: polls until `condition` returns a truthy value, which is returned.
 */
export function waitFor<T>(
  description: string,
  condition: () => T | Promise<T>,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  return poll(async () => (await condition()) || undefined, { timeoutMs, intervalMs, description });
}

/** Fails loudly (never skips) when kcat is missing: CI installs it, and these tests are the proof. */
export function requireKcat(): void {
  const probe = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'kcat is required by the dev-broker integration tests but could not be run ' +
        `(${probe.error?.message ?? `exit ${String(probe.status)}`}). Install it, e.g. apt-get install -y kcat`,
    );
  }
}

export { runKcat, type KcatResult } from '@offboarding/testing';

/** A long-running kcat (e.g. a -G group member) whose output is collected while it runs. */
export class KcatProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child;

  constructor(args: readonly string[]) {
    this.child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  lines(): string[] {
    return this.stdout.split('\n').filter((line) => line.length > 0);
  }

  /** SIGTERM lets librdkafka commit and leave the group; SIGKILL simulates a crash. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
