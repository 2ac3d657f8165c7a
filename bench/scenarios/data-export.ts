import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { open as openZip, type Entry, type ZipFile as ZipReader } from 'yauzl';
import { ZipFile } from 'yazl';
import { exportCollections, type ExportCollection } from '@offboarding/platform';
import { LocalDirectoryStorage } from '@offboarding/storage';
import type { ExportManifest } from '../../apps/retention/src/exports/export-archive';
import { entities } from '../../apps/entitlements/src/entities';
import { migrations } from '../../apps/entitlements/src/migrations';
import { type ExportJob, type ExportRun, exportOrganization, serveExportEndpoint } from '../export-worker';
import { type BenchContext, check, interleaved, type Figure, type RoundResult, type Scenario, timed } from '../harness';

const RECORDS = 100_000;
// How one customer's records spread over the entitlements service's tables; each organization also
// has its own row, one cancellation-policy override and one offboarding case.
const SHARES = { organization_contacts: 0.15, entitlements: 0.05, orders: 0.2, quotes: 0.05, invoices: 0.25, documents: 0.1, audit_log: 0.2 } as const;
/** Data sizes of the peak-RSS runs, as multiples of their base. */
const MEMORY_SIZES = [1, 10, 100] as const;
/**
 * Records of the 1× peak-RSS run: a tenth of the throughput rounds' by default, so the 100× run
 * (a million records at scale 1) fits the run's time; BENCH_EXPORT_MEMORY_BASE=100000 gives the
 * full 100k / 1M / 10M series (about 15 minutes on PostgreSQL on two cores).
 */
function memoryBase(records: number): number {
  const configured = process.env.BENCH_EXPORT_MEMORY_BASE;
  if (configured === undefined || configured === '') return Math.max(1000, Math.round(records / 10));
  const base = Number(configured);
  if (!Number.isInteger(base) || base < 100) throw new Error(`BENCH_EXPORT_MEMORY_BASE must be a whole number of records ≥ 100, got "${configured}"`);
  return base;
}
// The heap limit the services run with in Kubernetes (k8s/base NODE_OPTIONS).
const CHILD_NODE_OPTIONS = ['--enable-source-maps', '--max-old-space-size=384'];
const ROOT = path.resolve(__dirname, '..', '..');

type Database = Awaited<ReturnType<BenchContext['openDatabase']>>;

interface Seeded {
  organizationId: string;
  /** Rows per collection, as the export must count them. */
  rows: Record<string, number>;
  total: number;
}

/** One organization with `records` rows spread over its tables (dates, amounts, quoted CSV text). */
async function seedOrganization(db: Database, records: number): Promise<Seeded> {
  const s = `"${db.schema}"`;
  const id = randomUUID();
  const n = (table: keyof typeof SHARES) => Math.round(records * SHARES[table]);
  const q = (sql: string) => db.dataSource.query(sql, [id]);
  const at = (i: string) => `(timestamptz '2020-01-01' + ${i} * interval '7 minutes')`;
  await q(`INSERT INTO ${s}.organizations (id, name, tax_id, type, status, created_at, updated_at) VALUES ($1, 'Leaving GmbH', 'DE123456789', 'CUSTOMER', 'OFFBOARDING', now(), now())`);
  await q(
    `INSERT INTO ${s}.cancellation_policies (id, organization_id, portal_visibility_days, data_retention_days, allow_reactivation, reactivation_window_days, refund_eligible, grace_period_days, updated_by, created_at, updated_at)
     VALUES (gen_random_uuid(), $1, 30, 365, true, 30, false, 30, 'admin@offboarding.local', now(), now())`,
  );
  await q(
    `INSERT INTO ${s}.offboarding_cases (id, organization_id, status, reason, day_zero, point_of_contact, notes, policy_snapshot, started_at, started_by, entitlements_cancelled_at, created_at, updated_at)
     VALUES (gen_random_uuid(), $1, 'ENTITLEMENTS_CANCELLED', 'SWITCHING_PROVIDER', current_date, 'cfo@leaving.example', 'moving, "for good"', '{"dataRetentionDays": 365}', now(), 'admin@offboarding.local', now(), now(), now())`,
  );
  await q(
    `INSERT INTO ${s}.organization_contacts (id, organization_id, name, email, phone, address, role, created_at, updated_at)
     SELECT gen_random_uuid(), $1, 'Person ' || i, 'person.' || i || '@leaving.example', '+49 30 ' || (1000000 + i), 'Street ' || (i % 500) || ', 10115 Berlin, Germany', 'buyer', ${at('i')}, ${at('i')}
       FROM generate_series(1, ${n('organization_contacts')}) i`,
  );
  await q(
    `INSERT INTO ${s}.entitlements (id, organization_id, class, product, status, granted_at, cancelled_at, cancellation_reason, cancellation_notes, cancelled_by, created_at, updated_at)
     SELECT gen_random_uuid(), $1, (ARRAY['PLG', 'ENV', 'SVC', 'ORD', 'AFL', 'EDU'])[1 + i % 6], 'Product ' || (i % 40), 'CANCELLED', ${at('i')}, now(), 'SWITCHING_PROVIDER', 'moving to a competitor', 'admin@offboarding.local', ${at('i')}, now()
       FROM generate_series(1, ${n('entitlements')}) i`,
  );
  for (const table of ['orders', 'quotes'] as const) {
    await q(
      `INSERT INTO ${s}.${table} (id, organization_id, reference, description, amount_minor, currency, status, ${table === 'quotes' ? 'valid_until, ' : ''}created_at, updated_at)
       SELECT gen_random_uuid(), $1, '${table === 'orders' ? 'PO' : 'Q'}-' || i, 'Annual licence, ' || (1 + i % 50) || ' seats', 1000 * (1 + i % 997), 'EUR', ${table === 'orders' ? `'FULFILLED'` : `'EXPIRED', ${at('i')} + interval '30 days'`}, ${at('i')}, ${at('i')}
         FROM generate_series(1, ${n(table)}) i`,
    );
  }
  // Invoices bill the orders with the same number; the rest stand alone.
  await q(
    `INSERT INTO ${s}.invoices (id, organization_id, number, order_id, amount_minor, currency, status, issued_at, due_at, created_at, updated_at)
     SELECT gen_random_uuid(), $1, 'INV-' || i, o.id, 1000 * (1 + i % 997), 'EUR', 'PAID', ${at('i')}, ${at('i')} + interval '30 days', ${at('i')}, ${at('i')}
       FROM generate_series(1, ${n('invoices')}) i LEFT JOIN ${s}.orders o ON o.organization_id = $1 AND o.reference = 'PO-' || i`,
  );
  await q(
    `INSERT INTO ${s}.documents (id, organization_id, title, kind, content_type, content, size_bytes, sha256, created_at, updated_at)
     SELECT gen_random_uuid(), $1, 'Contract ' || i, 'CONTRACT', 'text/plain', c, octet_length(c), encode(sha256(convert_to(c, 'UTF8')), 'hex'), ${at('i')}, ${at('i')}
       FROM (SELECT i, 'Agreement no. ' || i || E'\n' || repeat(E'The "Supplier" grants the Customer, its affiliates and users, a licence to the Software.\n', 8) AS c
               FROM generate_series(1, ${n('documents')}) i) d`,
  );
  await q(
    `INSERT INTO ${s}.audit_log (id, organization_id, actor, action, reason, subject_type, subject_id, before_status, after_status, occurred_at)
     SELECT gen_random_uuid(), $1, 'admin@offboarding.local', 'entitlement.cancel', 'SWITCHING_PROVIDER', 'entitlement', gen_random_uuid()::text, 'ACTIVE', 'CANCELLED', ${at('i')}
       FROM generate_series(1, ${n('audit_log')}) i`,
  );
  const rows: Record<string, number> = { organizations: 1, cancellation_policies: 1, offboarding_cases: 1 };
  for (const table of Object.keys(SHARES) as (keyof typeof SHARES)[]) rows[table] = n(table);
  return { organizationId: id, rows, total: Object.values(rows).reduce((sum, count) => sum + count, 0) };
}

/**
 * The organization to export, beside a smaller one whose rows must stay out of the export. The
 * tables are analyzed, as autovacuum would have done for data that arrived over years: without
 * statistics the planner reads each keyset batch by sorting all of the organization's rows.
 */
async function seed(db: Database, records: number): Promise<Seeded> {
  await seedOrganization(db, Math.max(100, Math.round(records / 100)));
  const seeded = await seedOrganization(db, records);
  for (const table of Object.keys(seeded.rows)) await db.dataSource.query(`ANALYZE "${db.schema}".${table}`);
  return seeded;
}

function databaseUrl(db: Database): string {
  const { url } = db.dataSource.options as { url?: string };
  if (!url) throw new Error('the bench database has no URL');
  return url;
}

interface ZipEntryScan {
  /** Uncompressed bytes. */
  bytes: number;
  /** CSV records (lines outside quoted cells), header included; null when not read or not CSV. */
  csvLines: number | null;
}

/** Every entry of a ZIP with its size; with `inflate`, each is read through (CRC checked) and its CSV records counted. */
async function scanZip(file: string, inflate: boolean): Promise<Map<string, ZipEntryScan>> {
  const zip = await new Promise<ZipReader>((resolve, reject) => openZip(file, { lazyEntries: true }, (error, opened) => (error ? reject(error) : resolve(opened))));
  const entries = new Map<string, ZipEntryScan>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: Entry) => {
      if (!inflate) {
        entries.set(entry.fileName, { bytes: entry.uncompressedSize, csvLines: null });
        zip.readEntry();
        return;
      }
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const csv = entry.fileName.endsWith('.csv');
        let bytes = 0;
        let lines = 0;
        let quoted = false;
        stream.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (!csv) return;
          for (let i = 0; i < chunk.length; i += 1) {
            if (chunk[i] === 0x22) quoted = !quoted;
            else if (chunk[i] === 0x0a && !quoted) lines += 1;
          }
        });
        stream.on('error', reject);
        stream.on('end', () => {
          entries.set(entry.fileName, { bytes, csvLines: csv ? lines : null });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  zip.close();
  return entries;
}

/** Our manifest counts what was seeded, and the ZIP holds exactly the files it lists, at their sizes. */
async function checkOurs(manifest: ExportManifest, zipFile: string, seeded: Seeded, collections: ExportCollection[], inflate: boolean): Promise<void> {
  check(
    manifest.collections.map((entry) => entry.collection).join() === collections.map((collection) => collection.collection).join(),
    `the export has every collection of the service (${manifest.collections.map((entry) => entry.collection).join(', ')})`,
  );
  for (const entry of manifest.collections) {
    const expected = seeded.rows[entry.collection] ?? 0;
    check(entry.rows === expected, `${entry.collection}: ${entry.rows} rows exported, ${expected} seeded`);
  }
  const entries = await scanZip(zipFile, inflate);
  check(
    [...entries.keys()].sort().join() === [...manifest.files.map((file) => file.path), 'manifest.json'].sort().join(),
    `the ZIP holds the manifest's files and manifest.json (${[...entries.keys()].join(', ')})`,
  );
  for (const file of manifest.files) {
    const entry = entries.get(file.path);
    check(entry?.bytes === file.bytes, `${file.path}: ${entry?.bytes} bytes in the ZIP, ${file.bytes} in the manifest`);
    if (entry.csvLines !== null) check(entry.csvLines === file.rows + 1, `${file.path}: ${entry.csvLines - 1} CSV records, ${file.rows} rows`);
  }
}

/** The baseline: per table `COPY (SELECT the same columns …) TO STDOUT` as CSV, zipped with yazl into a file. */
async function copyToZip(url: string, schema: string, organizationId: string, collections: ExportCollection[], file: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const zip = new ZipFile();
    const written = pipeline(zip.outputStream, fs.createWriteStream(file));
    let bytes = 0;
    // The baseline copies the service's own tables; related views (a vendor's partners) are empty here.
    for (const collection of collections.filter((candidate) => !candidate.related)) {
      const columns = collection.columns.map((column) => `"${column}"`).join(', ');
      const copy = client.query(
        copyTo(`COPY (SELECT ${columns} FROM "${schema}"."${collection.collection}" WHERE "${collection.organizationColumn}" = '${organizationId}') TO STDOUT WITH (FORMAT csv, HEADER)`),
      );
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      zip.addReadStream(meter, `${collection.collection}.csv`);
      await pipeline(copy, meter);
    }
    zip.end();
    await written;
    // Stored durably, as our storage does before it answers.
    const handle = await fs.promises.open(file, 'r');
    await handle.sync();
    await handle.close();
    return bytes;
  } finally {
    await client.end();
  }
}

/** One export in a child process of its own: its peak RSS is the export's, not the bench's. */
async function exportInChild(job: ExportJob): Promise<ExportRun> {
  const child = spawn(process.execPath, [...CHILD_NODE_OPTIONS, '-r', path.join(ROOT, 'tools/register.js'), path.join(ROOT, 'bench/export-worker.ts'), JSON.stringify(job)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`the export worker exited with ${code}`);
  return JSON.parse(output.trim().split('\n').pop() ?? '') as ExportRun;
}

const mb = (bytes: number) => bytes / 1e6;

/** Peak RSS per data size, measured once per bench run (the 10× and 100× data take minutes to seed). */
async function measureMemory(context: BenchContext, base: number): Promise<Record<string, Figure>> {
  const peaks: number[] = [];
  for (const size of MEMORY_SIZES) {
    const db = await context.openDatabase('entitlements', { entities, migrations });
    const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-export-'));
    try {
      const seeding = await timed(() => seed(db, base * size));
      const seeded = seeding.result;
      const run = await exportInChild({
        url: databaseUrl(db),
        schema: db.schema,
        organizationId: seeded.organizationId,
        storageDir,
        poolSize: context.database.kind === 'postgres' ? 10 : 1,
      });
      await checkOurs(run.manifest, run.zipFile, seeded, exportCollections(db.dataSource), false);
      peaks.push(run.peakRssBytes);
      process.stdout.write(
        `  peak RSS ${size}×: ${seeded.total} rows (seeded in ${(seeding.ms / 1000).toFixed(1)} s), exported in ${(run.ms / 1000).toFixed(1)} s ` +
          `(${Math.round((seeded.total / run.ms) * 1000)} rows/s, ${mb(run.manifest.files.reduce((sum, file) => sum + file.bytes, 0)).toFixed(0)} MB into a ${mb(run.zipBytes).toFixed(0)} MB ZIP), peak RSS ${mb(run.peakRssBytes).toFixed(0)} MB\n`,
      );
    } finally {
      fs.rmSync(storageDir, { recursive: true, force: true });
      await db.drop();
    }
  }
  const [one, ten, hundred] = peaks;
  return {
    'peak RSS 1×': { unit: 'MB', value: mb(one) },
    'peak RSS 10×': { unit: 'MB', value: mb(ten) },
    'peak RSS 100×': { unit: 'MB', value: mb(hundred) },
    'peak RSS 10×/1×': { unit: '×', value: ten / one },
    'peak RSS 100×/1×': { unit: '×', value: hundred / one },
  };
}

let memory: Promise<Record<string, Figure>> | null = null;

/** Data export of one organization: the service's export endpoint and retention's ZIP pipeline vs COPY … TO STDOUT zipped. */
export const dataExportScenario: Scenario = {
  name: 'data export',
  describe: (scale) => ({
    ours:
      `one organization's ${Math.round(RECORDS * scale)} records in 10 entitlements tables: the service's /internal/export endpoint (real controller, NDJSON over HTTP) read by ` +
      `retention's ServiceCollectionsClient into writeExportArchive (a JSON and a CSV file per collection, manifest) and local directory storage; ` +
      `peak RSS (VmHWM) of the same export in a child process at ${MEMORY_SIZES.map((size) => `${size}×`).join(', ')} ${memoryBase(Math.max(1000, Math.round(RECORDS * scale)))} records, once per run`,
    baseline: 'per table COPY (SELECT the same columns … WHERE organization_id = …) TO STDOUT as CSV (pg-copy-streams), zipped with yazl into a file, fsynced',
  }),
  target: {
    figure: 'throughput',
    min: 0.5,
    absolute: [
      { figure: 'peak RSS 10×/1×', max: 1.2 },
      { figure: 'peak RSS 100×/1×', max: 1.2 },
    ],
  },
  async round(context: BenchContext, index: number): Promise<RoundResult> {
    const records = Math.max(1000, Math.round(RECORDS * context.scale));
    const db = await context.openDatabase('entitlements', { entities, migrations });
    const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-export-'));
    const service = await serveExportEndpoint(db.dataSource);
    let result: RoundResult;
    try {
      const seeded = await seed(db, records);
      const collections = exportCollections(db.dataSource);

      const ours = async () => {
        const storage = new LocalDirectoryStorage(storageDir);
        const key = `data-exports/${seeded.organizationId}/${randomUUID()}.zip`;
        const { result: exported, ms } = await timed(() => exportOrganization(service.baseUrl, seeded.organizationId, storage, key));
        await checkOurs(exported.manifest, path.join(storageDir, ...key.split('/')), seeded, collections, true);
        const bytes = exported.manifest.files.reduce((sum, file) => sum + file.bytes, 0);
        return { throughput: { unit: 'MB/s', value: (mb(bytes) / ms) * 1000 }, rows: { unit: 'rows/s', value: (seeded.total / ms) * 1000 } };
      };
      const baseline = async () => {
        const file = path.join(storageDir, `copy-${randomUUID()}.zip`);
        const { result: bytes, ms } = await timed(() => copyToZip(databaseUrl(db), db.schema, seeded.organizationId, collections, file));
        const entries = await scanZip(file, true);
        const own = collections.filter((collection) => !collection.related);
        check(entries.size === own.length, `the baseline ZIP has one CSV per collection of the service's own (${[...entries.keys()].join(', ')})`);
        for (const collection of own) {
          const lines = entries.get(`${collection.collection}.csv`)?.csvLines ?? 0;
          const expected = seeded.rows[collection.collection] ?? 0;
          check(lines === expected + 1, `baseline ${collection.collection}: ${lines - 1} CSV records, ${expected} seeded`);
        }
        return { throughput: { unit: 'MB/s', value: (mb(bytes) / ms) * 1000 }, rows: { unit: 'rows/s', value: (seeded.total / ms) * 1000 } };
      };
      result = await interleaved(index, ours, baseline);
    } finally {
      await service.app.close();
      await db.drop();
      fs.rmSync(storageDir, { recursive: true, force: true });
    }
    // After the round's data is gone: the memory runs seed schemas of their own.
    memory ??= measureMemory(context, memoryBase(records));
    return { ours: { ...result.ours, ...(await memory) }, baseline: result.baseline };
  },
};
