import { ServiceName } from '@offboarding/contracts';
import { createKafka, replayDeadLetters } from '@offboarding/messaging';
import { createLogger } from '@offboarding/platform';

// `npm run dlq:replay -- <service>`: re-feeds a consuming service's dead letters to the topics
// they came from. Consumers de-duplicate by event id, so replaying is safe to repeat.

async function main(): Promise<void> {
  const service = process.argv[2];
  const services = Object.values(ServiceName) as string[];
  if (!service || !services.includes(service)) {
    process.stderr.write(`usage: npm run dlq:replay -- <${services.join('|')}>\n`);
    process.exitCode = 2;
    return;
  }
  const logger = createLogger('dlq-replay');
  const kafka = createKafka({ clientId: `offboarding-${service}-dlq-replay`, logger });
  const result = await replayDeadLetters({ kafka, service: service as ServiceName, logger });
  process.stdout.write(`replayed ${result.replayed} dead letter(s) of ${service}${result.skipped ? `, skipped ${result.skipped} without an origin` : ''}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`replay failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
