import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The benchmark suite at a token size, so a scenario that no longer runs or whose result checks
// fail is caught here rather than at the next measurement. Figures at this size mean nothing;
// only that every scenario ran, checked its results and reported is asserted.
const root = path.resolve(__dirname, '..');

interface Results {
  database: string;
  reports: { scenario: string; ours: Record<string, { value: number }>; baseline: Record<string, { value: number }>; ratio: number }[];
  skipped: string[];
  failures: string[];
}

describe('the benchmark suite', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-bench-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs every scenario against its baseline on the embedded database and checks their results', async () => {
    const file = path.join(dir, 'results.json');
    const output: string[] = [];
    const child = spawn(process.execPath, [path.join(root, 'tools/run-ts.js'), path.join(root, 'bench/run.ts')], {
      cwd: root,
      env: { ...process.env, BENCH_DATABASE_URL: '', KAFKA_BROKERS: '', BENCH_SCALE: '0.02', BENCH_ROUNDS: '1', BENCH_ONLY: '', BENCH_RESULTS: file },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`npm run bench exited with ${code}:\n${output.join('')}`);

    const results = JSON.parse(fs.readFileSync(file, 'utf8')) as Results;
    expect(results.database).toBe('embedded');
    expect(results.failures).toEqual([]);
    // Both need a server: on PGlite a concurrent reader or writer only measures the single engine's queue.
    expect(results.skipped).toEqual(['purge', 'messaging pruning']);
    expect(results.reports.map((report) => report.scenario).sort()).toEqual(
      [
        'federated read through the gateway',
        'event propagation (cancel → licence cancelled)',
        'bulk offboarding',
        'data export',
        'PII masking',
        'idempotent consumption (inbox)',
        'restart to ready (kill -9)',
        'query limits (hostile documents)',
      ].sort(),
    );
    for (const report of results.reports) {
      expect(Number.isFinite(report.ratio) && report.ratio > 0).toBe(true);
      for (const figure of [...Object.values(report.ours), ...Object.values(report.baseline)]) expect(figure.value).toBeGreaterThan(0);
    }
  }, 600_000);
});
