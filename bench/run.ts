import * as path from 'node:path';
import { startDevBroker, type DevBroker } from '@offboarding/dev-broker';
import {
  type BenchContext,
  benchDatabase,
  machine,
  openBenchDatabase,
  printTable,
  type RoundResult,
  type Scenario,
  type ScenarioReport,
  summarize,
  writeResults,
} from './harness';
import { inboxScenario } from './scenarios/inbox';
import { maskingScenario } from './scenarios/masking';
import { purgeScenario } from './scenarios/purge';
import { messagingPruningScenario } from './scenarios/messaging-pruning';
import { eventPropagationScenario } from './scenarios/event-propagation';
import { bulkOffboardingScenario } from './scenarios/bulk-offboarding';
import { federatedReadScenario } from './scenarios/federated-read';
import { dataExportScenario } from './scenarios/data-export';
import { restartToReadyScenario } from './scenarios/restart-to-ready';
import { queryLimitsScenario } from './scenarios/query-limits';

// `npm run bench`: every scenario against its baseline in this process, interleaved, on real
// PostgreSQL when BENCH_DATABASE_URL is given (else PGlite) and the development broker unless
// KAFKA_BROKERS names one. BENCH_SCALE (default 1 on PostgreSQL, 0.1 on PGlite) shrinks or grows the data; BENCH_ROUNDS
// (default 3) sets how many interleaved rounds each scenario runs; BENCH_ONLY picks scenarios
// by name. Writes bench/results.json (BENCH_RESULTS names another file).

const SCENARIOS: Scenario[] = [
  federatedReadScenario,
  eventPropagationScenario,
  bulkOffboardingScenario,
  dataExportScenario,
  maskingScenario,
  purgeScenario,
  inboxScenario,
  restartToReadyScenario,
  queryLimitsScenario,
  messagingPruningScenario,
];

async function main(): Promise<void> {
  const database = benchDatabase();
  // PGlite runs every statement through one single-user WebAssembly engine, several times slower
  // than a server: the embedded default is a tenth of the data, so a default run stays within
  // 10 minutes on two cores.
  const scale = Number(process.env.BENCH_SCALE ?? (database.kind === 'postgres' ? 1 : 0.1));
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  if (!(scale > 0) || !Number.isInteger(rounds) || rounds < 1) throw new Error('BENCH_SCALE must be > 0 and BENCH_ROUNDS a whole number ≥ 1');
  const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim().toLowerCase());
  let broker: DevBroker | null = null;
  const kafkaBrokers = process.env.KAFKA_BROKERS || (broker = await startDevBroker({ port: 0 })).brokers;

  process.stdout.write(
    `benchmarks: scale ${scale}, ${rounds} rounds each, database ${database.kind === 'postgres' ? `PostgreSQL (${new URL(database.url).host})` : 'PGlite (embedded)'}, Kafka ${process.env.KAFKA_BROKERS ? kafkaBrokers : 'development broker'}\n`,
  );
  const context: BenchContext = {
    scale,
    database,
    kafkaBrokers,
    openDatabase: (service, options) => openBenchDatabase(database, service, options),
  };
  const reports: ScenarioReport[] = [];
  const failures: string[] = [];
  const skipped: string[] = [];
  try {
    for (const scenario of SCENARIOS) {
      if (only && !only.some((name) => scenario.name.toLowerCase().includes(name))) continue;
      if (scenario.requiresPostgres && database.kind !== 'postgres') {
        process.stdout.write(`\n${scenario.name}: skipped on PGlite (${scenario.requiresPostgres}); set BENCH_DATABASE_URL to run it\n`);
        skipped.push(scenario.name);
        continue;
      }
      const described = scenario.describe(scale);
      process.stdout.write(`\n${scenario.name}\n  ours:     ${described.ours}\n  baseline: ${described.baseline}\n`);
      const results: RoundResult[] = [];
      try {
        for (let round = 0; round < rounds; round += 1) {
          const result = await scenario.round(context, round);
          results.push(result);
          process.stdout.write(`  round ${round + 1}: ${JSON.stringify(result)}\n`);
        }
        reports.push(summarize(results, scenario));
      } catch (error) {
        failures.push(`${scenario.name}: ${error instanceof Error ? error.message : String(error)}`);
        process.stdout.write(`  failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      } finally {
        await scenario.teardown?.();
      }
    }
  } finally {
    await broker?.close();
  }

  process.stdout.write('\n');
  printTable(reports);
  const file = process.env.BENCH_RESULTS ? path.resolve(process.env.BENCH_RESULTS) : path.join(__dirname, 'results.json');
  writeResults(file, { at: new Date().toISOString(), machine: machine(), scale, rounds, database: database.kind, reports, skipped, failures });
  for (const name of skipped) process.stdout.write(`skipped on PGlite: ${name}\n`);
  process.stdout.write(`\nwritten: ${path.relative(process.cwd(), file)}\n`);
  for (const failure of failures) process.stderr.write(`scenario failed: ${failure}\n`);
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
