import { parseArgs } from 'node:util';
import { ServiceName } from '@offboarding/contracts';
import { createKafka, type DeadLetterSummary, defaultBrokers, kafkaSecurityFromEnv, replayDeadLetters, type ReplayMode } from '@offboarding/messaging';
import { createLogger } from '@offboarding/platform';

// `npm run dlq:replay -- <service> [--dry-run | --discard] [--event-id <id>]… [--type <type>]… [--error <text>] [--json]`:
// re-feeds a consuming service's pending dead letters to the topics they came from, or lists
// them (--dry-run), or marks them done without sending them (--discard). The replay's consumer
// group remembers what it took, so running it again sends nothing twice. See docs/operations.md.

const USAGE = `usage: npm run dlq:replay -- <${Object.values(ServiceName).join('|')}> [options]

  --dry-run          list the pending dead letters the filters take; send and remember nothing
  --discard          mark the letters the filters take as done without sending them
  --event-id <id>    only this event (repeatable)
  --type <type>      only this event type, full or by name, e.g. entitlement_granted (repeatable)
  --error <text>     only letters whose error or error type contains this text
  --json             print the result as JSON
`;

function line(letter: DeadLetterSummary): string {
  const error = `${letter.errorType ?? '?'}: ${(letter.error ?? '').replace(/\s+/g, ' ').slice(0, 120)}`;
  const replays = letter.replays > 0 ? `, replayed ${letter.replays}× before` : '';
  return `  ${letter.partition}:${letter.offset}  ${letter.eventId ?? '(no id)'}  ${letter.type ?? '(no type)'}  failed ${letter.failedAt ?? '?'} after ${letter.attempts ?? '?'} attempt(s)${replays}\n      ${error}`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      discard: { type: 'boolean', default: false },
      'event-id': { type: 'string', multiple: true },
      type: { type: 'string', multiple: true },
      error: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const service = positionals[0];
  if (!service || !(Object.values(ServiceName) as string[]).includes(service) || positionals.length > 1 || (values['dry-run'] && values.discard)) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }
  const mode: ReplayMode = values['dry-run'] ? 'dry-run' : values.discard ? 'discard' : 'replay';
  const logger = createLogger('dlq-replay', values.json ? 'silent' : 'warn');
  const kafka = createKafka({ clientId: `offboarding-${service}-dlq-replay`, brokers: defaultBrokers(process.env), security: kafkaSecurityFromEnv(process.env), logger });
  const result = await replayDeadLetters({
    kafka,
    service: service as ServiceName,
    logger,
    mode,
    filter: { eventIds: values['event-id'], types: values.type, error: values.error },
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const verb = { replay: 'replayed', 'dry-run': 'would replay', discard: 'discarded' }[mode];
  process.stdout.write(`${service}: ${verb} ${result.letters.length} dead letter(s)\n`);
  for (const letter of result.letters) process.stdout.write(`${line(letter)}\n`);
  const notes = [
    result.notMatching && `${result.notMatching} pending letter(s) not matching the filters, left for later`,
    result.duplicates && `${result.duplicates} more letter(s) of an event already taken (sent once)`,
    result.withoutOrigin && `${result.withoutOrigin} letter(s) without dlq_original_topic: discard them`,
    result.deferred && `${result.deferred} letter(s) deferred: too many letters before them are pending; replay or discard those first`,
  ].filter(Boolean);
  for (const note of notes) process.stdout.write(`  ${note}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`replay failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
