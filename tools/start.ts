import * as path from 'node:path';
import { buildConsole } from './build';
import { startStack } from './stack';

// `npm start`: the whole platform on this machine with nothing else installed.

async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.DATA_DIR ?? '.data');
  const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  // The console the gateway serves is built from the current sources (a second or two).
  await buildConsole();
  const stack = await startStack({
    dataDir,
    gatewayPort: port('GATEWAY_PORT', 4000),
    firstServicePort: port('FIRST_SERVICE_PORT', 4001),
    brokerPort: port('KAFKA_DEV_PORT', 9092),
  });
  const usingRealDatabase = Boolean(process.env.DATABASE_URL);
  process.stdout.write(
    [
      '',
      '  Offboarding platform is running',
      `  Console:   ${stack.graphqlUrl.replace(/\/graphql$/, '/console/')}  (sign in as admin@offboarding.local)`,
      `  GraphQL:   ${stack.graphqlUrl}`,
      `  Sign in:   mutation { login(email: "admin@offboarding.local", password: "${process.env.ADMIN_PASSWORD ? '<ADMIN_PASSWORD>' : 'admin'}") { accessToken } }`,
      '             then send the header  Authorization: Bearer <accessToken>',
      `  Kafka:     ${stack.kafkaBrokers}${process.env.KAFKA_BROKERS ? '' : ' (development broker)'}`,
      `  Databases: ${usingRealDatabase ? 'DATABASE_URL' : `embedded PGlite under ${dataDir}`}`,
      '  Press Ctrl-C to stop.',
      '',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\nstopping (${reason})…\n`);
    stack.stop().then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT', 0));
  process.once('SIGTERM', () => shutdown('SIGTERM', 0));
  void stack.crashed.then((name) => shutdown(`${name} exited`, 1));
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
