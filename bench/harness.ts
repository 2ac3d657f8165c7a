import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EMBEDDED_MEMORY_URL, openServiceDatabase, type ServiceDatabase } from '@offboarding/persistence';

// The benchmark suite's plumbing: each scenario runs our code and its baseline in the same
// process, interleaved round by round, checks both produced the right result before timing
// counts, and reports medians and the ratio against the scenario's target.

export interface Figure {
  /** e.g. "rows/s", "events/s", "ms p95". */
  unit: string;
  value: number;
}

export interface Target {
  /** Which figure the target is about (the first figure by default). */
  figure?: string;
  /** ours / baseline must be >= min (throughput) or <= max (latency, memory). */
  min?: number;
  max?: number;
  /** Absolute limits on our own figures (e.g. longest transaction ≤ 1000 ms). */
  absolute?: { figure: string; max: number }[];
  /** Limits on ours / baseline of further figures (e.g. p99 latency ≤ 1.0× the baseline's). */
  ratios?: { figure: string; min?: number; max?: number }[];
}

export interface RoundResult {
  ours: Record<string, Figure>;
  baseline: Record<string, Figure>;
}

export interface Scenario {
  name: string;
  /** Human description of what ours and the baseline do. */
  describe(scale: number): { ours: string; baseline: string };
  target: Target;
  /** Set when the scenario's figures mean nothing on the embedded single-connection PGlite. */
  requiresPostgres?: string;
  /** One round: ours then baseline (or the reverse on odd rounds), each checked for correctness. */
  round(context: BenchContext, index: number): Promise<RoundResult>;
  /** Releases what the rounds share (a running stack), after the last round or a failed one. */
  teardown?(): Promise<void>;
}

export interface BenchContext {
  scale: number;
  database: { kind: 'postgres'; url: string } | { kind: 'embedded' };
  kafkaBrokers: string;
  /** A fresh schema of a service's tables, dropped by the caller. */
  openDatabase(service: string, options: { entities: unknown[]; migrations: unknown[] }): Promise<ServiceDatabase & { drop(): Promise<void> }>;
}

export interface ScenarioReport {
  scenario: string;
  ours: Record<string, Figure>;
  baseline: Record<string, Figure>;
  ratio: number;
  /** ours / baseline of the figures named in `target.ratios`. */
  otherRatios?: Record<string, number>;
  target: string;
  pass: boolean;
  notes: string[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Throws with a clear message when a result is wrong: a wrong result never gets a time. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`result check failed: ${message}`);
}

export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

/** Ours then the baseline on even rounds, the reverse on odd ones, so neither side always runs first. */
export async function interleaved(
  index: number,
  ours: () => Promise<Record<string, Figure>>,
  baseline: () => Promise<Record<string, Figure>>,
): Promise<RoundResult> {
  if (index % 2 === 0) {
    const first = await ours();
    return { ours: first, baseline: await baseline() };
  }
  const first = await baseline();
  return { ours: await ours(), baseline: first };
}

/** Median of every figure across rounds. */
export function summarize(rounds: RoundResult[], scenario: Scenario): ScenarioReport {
  const merge = (side: 'ours' | 'baseline') => {
    const names = Object.keys(rounds[0][side]);
    return Object.fromEntries(
      names.map((name) => [name, { unit: rounds[0][side][name].unit, value: median(rounds.map((round) => round[side][name].value)) }]),
    );
  };
  const ours = merge('ours');
  const baseline = merge('baseline');
  const key = scenario.target.figure ?? Object.keys(ours)[0];
  const ratio = ours[key].value / baseline[key].value;
  const notes: string[] = [];
  let pass = true;
  let target = '';
  if (scenario.target.min !== undefined) {
    target = `≥ ${scenario.target.min}× ${key}`;
    if (ratio < scenario.target.min) {
      pass = false;
      notes.push(`${key} ${ratio.toFixed(2)}× < ${scenario.target.min}×`);
    }
  }
  if (scenario.target.max !== undefined) {
    target = `≤ ${scenario.target.max}× ${key}`;
    if (ratio > scenario.target.max) {
      pass = false;
      notes.push(`${key} ${ratio.toFixed(2)}× > ${scenario.target.max}×`);
    }
  }
  const otherRatios: Record<string, number> = {};
  for (const limit of scenario.target.ratios ?? []) {
    const value = ours[limit.figure].value / baseline[limit.figure].value;
    otherRatios[limit.figure] = value;
    if (limit.min !== undefined) {
      target += `; ${limit.figure} ≥ ${limit.min}×`;
      if (value < limit.min) {
        pass = false;
        notes.push(`${limit.figure} ${value.toFixed(2)}× < ${limit.min}×`);
      }
    }
    if (limit.max !== undefined) {
      target += `; ${limit.figure} ≤ ${limit.max}×`;
      if (value > limit.max) {
        pass = false;
        notes.push(`${limit.figure} ${value.toFixed(2)}× > ${limit.max}×`);
      }
    }
  }
  for (const limit of scenario.target.absolute ?? []) {
    const value = ours[limit.figure]?.value ?? Number.POSITIVE_INFINITY;
    target += `; ${limit.figure} ≤ ${limit.max}`;
    if (value > limit.max) {
      pass = false;
      notes.push(`${limit.figure} ${value.toFixed(1)} > ${limit.max}`);
    }
  }
  return { scenario: scenario.name, ours, baseline, ratio, ...(scenario.target.ratios ? { otherRatios } : {}), target, pass, notes };
}

export function formatFigures(figures: Record<string, Figure>): string {
  return Object.entries(figures)
    .map(([name, figure]) => `${name} ${figure.value >= 100 ? Math.round(figure.value) : figure.value.toFixed(2)} ${figure.unit}`)
    .join(', ');
}

export function printTable(reports: ScenarioReport[]): void {
  const rows = [
    ['scenario', 'ours', 'baseline', 'ratio', 'target', 'result'],
    ...reports.map((report) => [
      report.scenario,
      formatFigures(report.ours),
      formatFigures(report.baseline),
      [`${report.ratio.toFixed(2)}×`, ...Object.entries(report.otherRatios ?? {}).map(([name, value]) => `${name} ${value.toFixed(2)}×`)].join(', '),
      report.target,
      report.pass ? 'pass' : `FAIL${report.notes.length ? ` (${report.notes.join('; ')})` : ''}`,
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const [index, row] of rows.entries()) {
    process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')}\n`);
    if (index === 0) process.stdout.write(`${widths.map((width) => '-'.repeat(width)).join('-|-')}\n`);
  }
}

export function machine(): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

export function writeResults(file: string, payload: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
}

export function benchDatabase(): BenchContext['database'] {
  const url = process.env.BENCH_DATABASE_URL ?? '';
  return url && url !== EMBEDDED_MEMORY_URL ? { kind: 'postgres', url } : { kind: 'embedded' };
}

export async function openBenchDatabase(
  database: BenchContext['database'],
  service: string,
  options: { entities: unknown[]; migrations: unknown[] },
): Promise<ServiceDatabase & { drop(): Promise<void> }> {
  const schema = `bench_${service}_${Math.random().toString(16).slice(2, 10)}`;
  const db = await openServiceDatabase({
    service,
    schema,
    entities: options.entities as never,
    migrations: options.migrations as never,
    migrate: true,
    target: database.kind === 'postgres' ? database : { kind: 'embedded', dataDir: null },
    // PGlite serves one statement stream at a time; a real server gets a pool, so the
    // concurrent reader has a connection of its own.
    poolSize: database.kind === 'postgres' ? 4 : 1,
  });
  return {
    ...db,
    async drop() {
      if (db.target.kind === 'postgres') await db.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
      await db.close();
    },
  };
}
