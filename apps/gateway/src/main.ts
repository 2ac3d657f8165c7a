import './instrument';
import { createLogger, shutdownTracing } from '@offboarding/platform';
import { loadGatewayConfig } from './gateway-config';
import { startGateway } from './gateway-server';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger('gateway', config.logLevel);
  const gateway = await startGateway(config, logger);
  logger.info({ url: gateway.url }, 'gateway ready');
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    gateway
      .stop()
      .then(() => shutdownTracing())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'gateway start-up failed', error: String(error) })}\n`);
  process.exit(1);
});
