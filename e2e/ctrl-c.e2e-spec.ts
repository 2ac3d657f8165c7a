import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePortBlock, waitFor } from '@offboarding/testing';
import { portOpen } from '../tools/stack';
import { login, SEEDED_ADMIN } from './graphql-client';

// `npm start` in a real pseudo-terminal (tmux), with clients sending mutations through the
// gateway, and Ctrl-C pressed as a person would: the terminal sends SIGINT to its whole
// foreground process group (npm and the supervisor). The stack must stop in order (gateway,
// services, broker), show every line, log no error and exit 0, within seconds.

const root = path.resolve(__dirname, '..');
const tmuxInstalled = () => spawnSync('tmux', ['-V']).status === 0;
const describeWithTmux = process.env.CI || tmuxInstalled() ? describe : describe.skip;
if (!process.env.CI && !tmuxInstalled()) process.stderr.write('\ntmux is not installed: skipping the Ctrl-C test (apt-get install -y tmux runs it)\n');

const SERVICES = ['entitlements', 'provisioning', 'identity', 'retention'];

describeWithTmux('Ctrl-C on npm start', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-ctrl-c-'));
  const session = `offboarding-ctrl-c-${process.pid}`;
  const logFile = path.join(dir, 'terminal.log');
  const codeFile = path.join(dir, 'exit-code');
  const tmux = (...args: string[]) => {
    const result = spawnSync('tmux', args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
  };
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');

  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops the stack in order under load, every line shown, no error, exit 0', async () => {
    const first = await freePortBlock(6);
    const ports = { gateway: first, services: first + 1, broker: first + 5 };
    // The shell a terminal would run: it ignores Ctrl-C itself (as an interactive shell does)
    // and records npm's exit code once npm is done.
    const script = path.join(dir, 'run.sh');
    fs.writeFileSync(
      script,
      [
        '#!/bin/bash',
        'trap : INT',
        `cd ${JSON.stringify(root)}`,
        `export DATA_DIR=${JSON.stringify(path.join(dir, 'data'))} GATEWAY_PORT=${ports.gateway} FIRST_SERVICE_PORT=${ports.services} KAFKA_DEV_PORT=${ports.broker}`,
        'export DATABASE_URL= KAFKA_BROKERS= LOG_LEVEL=info RATE_LIMIT_PER_MINUTE=60000 RATE_LIMIT_BURST=1000',
        `npm start > ${JSON.stringify(logFile)} 2>&1`,
        `echo $? > ${JSON.stringify(codeFile)}`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    tmux('new-session', '-d', '-s', session, '-x', '220', '-y', '50', script);
    await waitFor(() => log().includes('Offboarding platform is running'), { timeoutMs: 300_000, intervalMs: 500, description: `npm start to be running:\n${log().slice(-3000)}` });

    const url = `http://localhost:${ports.gateway}/graphql`;
    const token = await login(url, SEEDED_ADMIN.email, SEEDED_ADMIN.password);
    let answered = 0;
    let stopping = false;
    const client = async () => {
      while (!stopping) {
        try {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
            body: JSON.stringify({ query: 'mutation { createOrganization(input: { name: "Under Load", type: CUSTOMER }) { id } }' }),
          });
          if ((await response.json()) !== null) answered += 1;
        } catch {
          // The gateway went away: this client is done.
          return;
        }
      }
    };
    const clients = Array.from({ length: 4 }, () => client());
    await waitFor(() => answered >= 20, { timeoutMs: 120_000, description: 'load through the gateway' });

    const pressed = performance.now();
    tmux('send-keys', '-t', session, 'C-c');
    await waitFor(() => fs.existsSync(codeFile) && fs.readFileSync(codeFile, 'utf8').trim() !== '', { timeoutMs: 120_000, intervalMs: 100, description: 'npm start to exit' });
    const stopMs = performance.now() - pressed;
    stopping = true;
    await Promise.all(clients);

    const lines = log().split('\n');
    const output = lines.join('\n');
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    process.stderr.write(`Ctrl-C: npm start exited ${fs.readFileSync(codeFile, 'utf8').trim()} after ${Math.round(stopMs)} ms, ${answered} mutations answered before\n`);

    expect(fs.readFileSync(codeFile, 'utf8').trim()).toBe('0');
    // Nothing logged at error level, no forced or unexpected exit, no process killed.
    expect(lines.filter((line) => /^\[[a-z]+\]\s+(error|fatal)\b/.test(line) || /exited unexpectedly|did not stop|second signal|forcing/.test(line))).toEqual([]);
    // In order: the gateway stopped before any service began to, every service before the broker.
    const required = {
      gatewayStopped: /^\[gateway\]\s+info\s+stopped$/,
      ...Object.fromEntries(SERVICES.flatMap((service) => [
        [`${service}Stopping`, new RegExp(`^\\[${service}\\]\\s+info\\s+shutting down`)],
        [`${service}Stopped`, new RegExp(`^\\[${service}\\]\\s+info\\s+stopped$`)],
      ])),
      brokerStopping: /^\[kafka\]\s+dev kafka broker shutting down/,
      brokerStopped: /^\[kafka\]\s+dev kafka broker stopped$/,
    } as Record<string, RegExp>;
    const index = Object.fromEntries(Object.entries(required).map(([name, pattern]) => [name, at(pattern)]));
    expect(Object.keys(index).filter((name) => index[name] < 0)).toEqual([]);
    const gatewayStopped = index.gatewayStopped;
    const servicesStarting = SERVICES.map((service) => index[`${service}Stopping`]);
    const servicesStopped = SERVICES.map((service) => index[`${service}Stopped`]);
    const brokerStopping = index.brokerStopping;
    expect(Math.min(...servicesStarting)).toBeGreaterThan(gatewayStopped);
    expect(brokerStopping).toBeGreaterThan(Math.max(...servicesStopped));
    // Every line to the last: the broker's and the supervisor's final words.
    expect(index.brokerStopped).toBeGreaterThan(brokerStopping);
    expect(lines.filter(Boolean).at(-1)).toMatch(/^\[stack\]\s+stopped$/);
    expect(output).toContain('stopping (SIGINT)');
    // Nothing is left listening.
    for (const port of [ports.gateway, ports.services, ports.services + 1, ports.services + 2, ports.services + 3, ports.broker]) {
      expect(await portOpen(port)).toBe(false);
    }
    // "In seconds": the stop itself, measured from the key press (the machine may be busy).
    expect(stopMs).toBeLessThan(20_000);
  }, 600_000);
});
