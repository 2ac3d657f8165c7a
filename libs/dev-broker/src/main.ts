import { securityOptionsFromEnv } from './cli-options';
import { startDevBroker, type Logger } from './index';

/**
 * CLI entry for the embedded development stack. stdout carries the readiness line (callers wait
 * for it) and the start and end of its shutdown; diagnostics go to stderr, info-level only with
 * KAFKA_DEV_VERBOSE=1.
 */
function stderrLogger(verbose: boolean): Logger {
  const write = (level: string, msg: string, ctx?: object): void => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...ctx })}\n`);
  };
  return {
    info: (msg, ctx) => {
      if (verbose) write('info', msg, ctx);
    },
    warn: (msg, ctx) => write('warn', msg, ctx),
    error: (msg, ctx) => write('error', msg, ctx),
  };
}

async function main(): Promise<void> {
  const port = Number(process.env.KAFKA_DEV_PORT ?? 9092);
  const dataDir = process.env.KAFKA_DEV_DATA_DIR ?? '.data/kafka';
  const logger = stderrLogger(process.env.KAFKA_DEV_VERBOSE === '1');
  const broker = await startDevBroker({ port, dataDir, logger, ...securityOptionsFromEnv(process.env) });
  process.stdout.write(`dev kafka broker listening on ${broker.brokers}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals | 'supervisor gone'): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`dev kafka broker shutting down (${signal})\n`);
    broker.close().then(
      () => {
        process.stdout.write('dev kafka broker stopped\n');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Started by `npm start`'s supervisor: stop when it is gone (its IPC channel closed).
  if (process.connected) process.once('disconnect', () => stop('supervisor gone'));
}

main().catch((error: unknown) => {
  process.stderr.write(`dev kafka broker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
