import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { Outbox, UnitOfWork } from '@offboarding/messaging';
import { MASKED_PREFIX, MaskingKeys, SystemClock } from '@offboarding/platform';
import { AuditLog } from '../../apps/entitlements/src/audit/audit-log';
import { entities } from '../../apps/entitlements/src/entities';
import { migrations } from '../../apps/entitlements/src/migrations';
import { DataLifecycleService } from '../../apps/entitlements/src/organizations/data-lifecycle.service';
import { type BenchContext, check, interleaved, type RoundResult, type Scenario, timed } from '../harness';

class FixedKeys extends MaskingKeys {
  constructor(private readonly key: Buffer) {
    super();
  }
  resolve(): Promise<Buffer> {
    return Promise.resolve(this.key);
  }
}

const CONTACTS = 100_000;

/** PII masking of an organization's contacts: the service's masking handler vs raw HMAC and batched UPDATEs. */
export const maskingScenario: Scenario = {
  name: 'PII masking',
  describe: (scale) => ({
    ours: `entitlements' pii_masking_requested handler over ${Math.round(CONTACTS * scale)} contacts (keyed HMAC, batched updates, audit, confirmation)`,
    baseline: 'SELECT the same rows, HMAC-SHA-256 in Node, UPDATE … FROM unnest() in batches of 1000, in one transaction',
  }),
  target: { min: 0.5 },
  async round(context: BenchContext, index: number): Promise<RoundResult> {
    const count = Math.max(1000, Math.round(CONTACTS * context.scale));
    const db = await context.openDatabase('entitlements', { entities, migrations });
    try {
      const table = `"${db.schema}".organization_contacts`;
      const seed = async () => {
        const organizationId = randomUUID();
        await db.dataSource.query(
          `INSERT INTO "${db.schema}".organizations (id, name, type, status, created_at, updated_at) VALUES ($1, 'Bench GmbH', 'CUSTOMER', 'ARCHIVED', now(), now())`,
          [organizationId],
        );
        await db.dataSource.query(
          `INSERT INTO ${table} (id, organization_id, name, email, phone, address, created_at, updated_at)
           SELECT gen_random_uuid(), $1, 'Person ' || i, 'person' || i || '@example.com', '+49 30 ' || i, 'Street ' || i, now(), now()
             FROM generate_series(1, ${count}) AS i`,
          [organizationId],
        );
        return organizationId;
      };
      const key = randomBytes(32);
      const clock = new SystemClock();
      const outbox = new Outbox('entitlements', () => clock.now());
      const service = new DataLifecycleService(
        db.dataSource,
        new UnitOfWork(db.dataSource, outbox),
        outbox,
        new FixedKeys(key),
        new AuditLog(clock),
        clock,
        pino({ level: 'silent' }),
      );
      const unmasked = async (organizationId: string) =>
        Number((await db.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM ${table} WHERE organization_id = $1 AND email NOT LIKE '${MASKED_PREFIX}%'`, [organizationId]))[0].n);

      const ours = async () => {
        const organizationId = await seed();
        const { ms } = await timed(() =>
          db.dataSource.transaction((manager) =>
            service.onMaskingRequested(manager, { organizationId, requestId: randomUUID(), maskingKeyRef: 'bench', requestedAt: clock.now().toISOString() }),
          ),
        );
        check((await unmasked(organizationId)) === 0, 'every contact masked by the service');
        return { throughput: { unit: 'rows/s', value: (count / ms) * 1000 } };
      };
      const baseline = async () => {
        const organizationId = await seed();
        const hmac = (value: string) => MASKED_PREFIX + createHmac('sha256', key).update(value).digest('hex');
        const { ms } = await timed(() =>
          db.dataSource.transaction(async (manager) => {
            let after = '00000000-0000-0000-0000-000000000000';
            for (;;) {
              const rows = await manager.query<{ id: string; name: string; email: string; phone: string; address: string }[]>(
                `SELECT id, name, email, phone, address FROM ${table} WHERE organization_id = $1 AND id > $2 ORDER BY id LIMIT 1000`,
                [organizationId, after],
              );
              if (rows.length === 0) return;
              await manager.query(
                `UPDATE ${table} AS c SET name = v.name, email = v.email, phone = v.phone, address = v.address
                   FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v(id, name, email, phone, address) WHERE c.id = v.id`,
                [rows.map((r) => r.id), rows.map((r) => hmac(r.name)), rows.map((r) => hmac(r.email)), rows.map((r) => hmac(r.phone)), rows.map((r) => hmac(r.address))],
              );
              after = rows[rows.length - 1].id;
            }
          }),
        );
        check((await unmasked(organizationId)) === 0, 'every contact masked by the baseline');
        return { throughput: { unit: 'rows/s', value: (count / ms) * 1000 } };
      };
      return await interleaved(index, ours, baseline);
    } finally {
      await db.drop();
    }
  },
};
