import * as path from 'node:path';
import { buildConsole } from './build';
import { type RunningStack, startStack } from './stack';

// `npm start`: the whole platform on this machine with nothing else installed.
//
// Ctrl-C (SIGINT) or SIGTERM stops the stack in order and exits 0 once every process stopped
// and every line it wrote was shown. Pressing Ctrl-C again later forces: whatever still runs is
// killed. One press arrives more than once (the terminal signals npm and this process, and npm
// forwards its own copy), so signals within a second of the first count as the same press.

const SAME_PRESS_MS = 1_000;

async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.DATA_DIR ?? '.data');
  const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  const starting = new AbortController();
  let stack: RunningStack | null = null;
  let stopRequested: number | null = null;

  const say = (line: string) => process.stdout.write(`${line}\n`);
  const finish = (code: number) => {
    process.exitCode = code;
    // Nothing else keeps the process alive once the children are gone; exit now regardless.
    process.exit(code);
  };
  const stop = (reason: string, code: number) => {
    say(`\nstopping (${reason}): the gateway, then the services, then the broker; Ctrl-C again forces`);
    if (!stack) return starting.abort();
    stack.stop().then(
      () => finish(code),
      (error: unknown) => {
        say(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
        finish(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopRequested === null) {
      stopRequested = performance.now();
      stop(signal, 0);
      return;
    }
    if (performance.now() - stopRequested < SAME_PRESS_MS) return;
    say(`\n${signal} again: forcing: killing ${stack?.running().join(', ') || 'what was starting'}`);
    stack?.kill();
    finish(1);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // A closed terminal (SIGHUP) makes writes fail: the ordered stop goes on without an audience.
  process.stdout.on('error', () => undefined);

  try {
    // The console and the API explorer the gateway serves are built from the current sources (seconds).
    await buildConsole();
    stack = await startStack({
      dataDir,
      gatewayPort: port('GATEWAY_PORT', 4000),
      firstServicePort: port('FIRST_SERVICE_PORT', 4001),
      brokerPort: port('KAFKA_DEV_PORT', 9092),
      signal: starting.signal,
    });
  } catch (error) {
    if (starting.signal.aborted) {
      say('stopped before start-up finished');
      return finish(0);
    }
    throw error;
  }
  const usingRealDatabase = Boolean(process.env.DATABASE_URL);
  process.stdout.write(
    [
      '',
      '  Offboarding platform is running',
      `  Console:   ${stack.graphqlUrl.replace(/\/graphql$/, '/console/')}  (sign in as admin@offboarding.local)`,
      `  GraphQL:   ${stack.graphqlUrl}`,
      `  Explorer:  ${stack.graphqlUrl.replace(/\/graphql$/, '/explorer/')}  (GraphiQL; sign in or paste a token in its bar)`,
      `  Sign in:   mutation { login(email: "admin@offboarding.local", password: "${process.env.ADMIN_PASSWORD ? '<ADMIN_PASSWORD>' : 'admin'}") { accessToken } }`,
      '             then send the header  Authorization: Bearer <accessToken>',
      `  Kafka:     ${stack.kafkaBrokers}${process.env.KAFKA_BROKERS ? '' : ' (development broker)'}`,
      `  Databases: ${usingRealDatabase ? 'DATABASE_URL' : `embedded PGlite under ${dataDir}`}`,
      '  Press Ctrl-C to stop.',
      '',
      '',
    ].join('\n'),
  );
  void stack.crashed.then((name) => {
    if (stopRequested !== null) return;
    stopRequested = performance.now();
    stop(`${name} exited`, 1);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
