import { DEFAULT_CANCELLATION_POLICY } from '@offboarding/contracts';
import { checkDownload, downloadUrl, signDownload } from '../exports/download-link';
import { csvCell } from '../exports/export-archive';
import { certificateHash } from '../purge/certificate';
import { CONFIRMING_SERVICES, missingConfirmations } from '../shared/confirming-services';
import { CaseAction, CaseStatus, nextCaseStatus } from '../timeline/case-status';
import { effectivePolicy } from '../timeline/offboarding-policy';
import { computeTimeline, type Milestone } from '../timeline/timeline';

const dueOf = (timeline: ReturnType<typeof computeTimeline>) =>
  Object.fromEntries(timeline.milestones.map((m) => [m.milestone, m.dueAt?.toISOString().slice(0, 10) ?? null])) as Record<Milestone, string | null>;

describe('the offboarding timeline (SPEC §3.3)', () => {
  const base = { dayZero: '2025-01-01', archivedAt: null, retainedUntil: null, exportWindowExtendedUntil: null };

  it('gives a customer the SPEC defaults: export until retention ends, SSO at archive (with masking at the latest), masking at purge, day 90, day 365', () => {
    const timeline = computeTimeline({ ...base, organizationType: 'CUSTOMER', policy: { offboarding: effectivePolicy('CUSTOMER', null), cancellation: DEFAULT_CANCELLATION_POLICY } });
    expect(dueOf(timeline)).toEqual({
      ENTITLEMENTS_CANCELLED: '2025-01-01',
      EXPORT_WINDOW_CLOSES: '2026-01-01',
      // Never archived: access still ends before masking, so no masked user is ever active.
      SSO_SHUTDOWN: '2026-01-01',
      PII_MASKED: '2026-01-01',
      PORTAL_HIDDEN: '2025-04-01',
      FINAL_CONFIRMATION: '2025-04-01',
      PURGE_ELIGIBLE: '2026-01-01',
    });
    expect(timeline.milestones.find((m) => m.milestone === 'SSO_SHUTDOWN')?.rule).toBe('at archive, with masking at the latest');
    const archived = computeTimeline({ ...base, archivedAt: new Date('2025-02-10T12:00:00Z'), organizationType: 'CUSTOMER', policy: { offboarding: effectivePolicy('CUSTOMER', null), cancellation: DEFAULT_CANCELLATION_POLICY } });
    expect(dueOf(archived).SSO_SHUTDOWN).toBe('2025-02-10');
    expect(archived.milestones.find((m) => m.milestone === 'SSO_SHUTDOWN')?.rule).toBe('at archive');
  });

  it('gives a vendor the SPEC defaults: export 7 days, SSO and masking by day 30, day 90, day 365', () => {
    const timeline = computeTimeline({ ...base, organizationType: 'VENDOR', policy: { offboarding: effectivePolicy('VENDOR', null), cancellation: DEFAULT_CANCELLATION_POLICY } });
    expect(dueOf(timeline)).toEqual({
      ENTITLEMENTS_CANCELLED: '2025-01-01',
      EXPORT_WINDOW_CLOSES: '2025-01-08',
      SSO_SHUTDOWN: '2025-01-31',
      PII_MASKED: '2025-01-31',
      PORTAL_HIDDEN: '2025-04-01',
      FINAL_CONFIRMATION: '2025-04-01',
      PURGE_ELIGIBLE: '2026-01-01',
    });
  });

  it('follows the cancellation snapshot and per-organization overrides, and extensions', () => {
    const cancellation = { ...DEFAULT_CANCELLATION_POLICY, dataRetentionDays: 30, portalVisibilityDays: 10, reactivationWindowDays: 20 };
    const policy = { offboarding: effectivePolicy('VENDOR', { exportWindowDays: 3, ssoShutdownDays: null }), cancellation };
    const timeline = computeTimeline({ ...base, organizationType: 'VENDOR', policy });
    // Overridden export window, default vendor SSO (null keeps the default), masking capped at purge.
    expect(dueOf(timeline)).toMatchObject({ EXPORT_WINDOW_CLOSES: '2025-01-04', SSO_SHUTDOWN: '2025-01-31', PII_MASKED: '2025-01-31', PORTAL_HIDDEN: '2025-01-21', PURGE_ELIGIBLE: '2025-01-31' });
    const extended = computeTimeline({ ...base, organizationType: 'VENDOR', policy, retainedUntil: new Date('2025-03-01T00:00:00Z'), exportWindowExtendedUntil: new Date('2025-02-15T00:00:00Z') });
    // Deactivation, masking, the portal and the final confirmation wait for the extended export
    // window; purge for the extended retention.
    expect(dueOf(extended)).toEqual({
      ENTITLEMENTS_CANCELLED: '2025-01-01',
      EXPORT_WINDOW_CLOSES: '2025-02-15',
      SSO_SHUTDOWN: '2025-02-15',
      PII_MASKED: '2025-02-15',
      PORTAL_HIDDEN: '2025-02-15',
      FINAL_CONFIRMATION: '2025-02-15',
      PURGE_ELIGIBLE: '2025-03-01',
    });
    expect(extended.milestones.find((m) => m.milestone === 'PII_MASKED')?.rule).toBe('day 30, after the extended export window');
  });

  it('never puts masking inside the export window, nor the end of access after masking, whatever the policy says', () => {
    for (const exportWindowDays of [0, 7, 29, 30, 31, 60, 200]) {
      for (const ssoShutdownDays of [null, 0, 10, 30, 45, 400]) {
        for (const piiMaskingDays of [null, 0, 15, 30, 90]) {
          for (const extendedUntil of [null, new Date('2025-03-15T00:00:00Z')]) {
            const policy = { offboarding: effectivePolicy('VENDOR', { exportWindowDays, ssoShutdownDays, piiMaskingDays }), cancellation: DEFAULT_CANCELLATION_POLICY };
            const timeline = computeTimeline({ ...base, organizationType: 'VENDOR', policy, exportWindowExtendedUntil: extendedUntil });
            const at = (kind: Milestone) => timeline.milestones.find((m) => m.milestone === kind)!.dueAt!.getTime();
            expect(at('PII_MASKED')).toBeGreaterThanOrEqual(timeline.exportWindowClosesAt.getTime());
            expect(at('SSO_SHUTDOWN')).toBeLessThanOrEqual(at('PII_MASKED'));
            expect(at('PII_MASKED')).toBeLessThanOrEqual(timeline.purgeEligibleAt.getTime());
            if (extendedUntil) {
              for (const kind of ['SSO_SHUTDOWN', 'PII_MASKED', 'PORTAL_HIDDEN', 'FINAL_CONFIRMATION'] as const) {
                expect(at(kind)).toBeGreaterThanOrEqual(timeline.exportWindowClosesAt.getTime());
              }
            }
          }
        }
      }
    }
  });

  it('allows only the case transitions of its table', () => {
    expect(nextCaseStatus(CaseStatus.OPEN, CaseAction.enterPurgeQueue)).toBe('PURGE_QUEUED');
    expect(nextCaseStatus(CaseStatus.PURGE_QUEUED, CaseAction.extendRetention)).toBe('OPEN');
    expect(() => nextCaseStatus(CaseStatus.OPEN, CaseAction.requestPurge)).toThrow(/cannot request purge a retention case that is OPEN/);
    expect(() => nextCaseStatus(CaseStatus.PURGING, CaseAction.close)).toThrow();
  });

  it('lists the services that still have to confirm', () => {
    expect(CONFIRMING_SERVICES).toEqual(['entitlements', 'provisioning', 'identity']);
    expect(missingConfirmations({ provisioning: {} })).toEqual(['entitlements', 'identity']);
  });
});

describe('signed download links', () => {
  const secret = 's'.repeat(40);
  const id = '0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f';
  const now = new Date('2025-01-01T00:00:00Z');
  const expires = Math.floor(now.getTime() / 1000) + 3600;

  it('accepts a valid link and refuses a tampered or expired one', () => {
    const url = new URL(downloadUrl('https://retention.example', secret, id, new Date(expires * 1000)));
    expect(url.pathname).toBe(`/exports/${id}/download`);
    const signature = url.searchParams.get('signature') ?? '';
    expect(checkDownload(secret, id, String(expires), signature, now)).toBe('valid');
    expect(checkDownload(secret, id, String(expires + 1), signature, now)).toBe('tampered');
    expect(checkDownload(secret, id.replace('0b9d', '0b9e'), String(expires), signature, now)).toBe('tampered');
    expect(checkDownload('x'.repeat(40), id, String(expires), signature, now)).toBe('tampered');
    expect(checkDownload(secret, id, String(expires), undefined, now)).toBe('tampered');
    expect(checkDownload(secret, id, String(expires), signature, new Date((expires + 1) * 1000))).toBe('expired');
    expect(signDownload(secret, id, expires)).toBe(signature);
  });
});

describe('export files', () => {
  it('writes RFC 4180 CSV cells and defuses spreadsheet formulas', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"\n')).toBe('"say ""hi""\n"');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell({ b: 1 })).toBe('"{""b"":1}"');
    expect(csvCell(42)).toBe('42');
  });

  it('hashes a certificate canonically', () => {
    expect(certificateHash({ b: 1, a: [2] })).toBe(certificateHash({ a: [2], b: 1 }));
    expect(certificateHash({ a: 1 })).not.toBe(certificateHash({ a: 2 }));
  });
});

describe('retention configuration', () => {
  it('chooses local storage by default and S3 when configured, naming every missing variable', async () => {
    const { loadRetentionConfig } = await import('../shared/retention-config');
    expect(loadRetentionConfig({ DATA_DIR: '/data' }).storage).toEqual({ driver: 'local', root: '/data/storage' });
    // Keys are optional (the default credential chain), and so is the endpoint (AWS S3).
    expect(() => loadRetentionConfig({ STORAGE_DRIVER: 's3' })).toThrow(/S3_BUCKET: required when STORAGE_DRIVER=s3/);
    expect(() => loadRetentionConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'exports', S3_ACCESS_KEY_ID: 'k' })).toThrow(/S3_SECRET_ACCESS_KEY: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together/);
    const storage = loadRetentionConfig({ STORAGE_DRIVER: 's3', S3_ENDPOINT: 'http://minio:9000/', S3_BUCKET: 'exports', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's', S3_FORCE_PATH_STYLE: 'false' }).storage;
    expect(storage).toEqual({
      driver: 's3',
      downloadUrlTtlSeconds: 300,
      s3: {
        endpoint: 'http://minio:9000',
        bucket: 'exports',
        region: 'us-east-1',
        credentials: expect.any(Function),
        forcePathStyle: false,
        partSizeBytes: 8 * 1024 * 1024,
        requestTimeoutMs: 60_000,
        maxAttempts: 5,
      },
    });
    expect(storage.driver === 's3' && (await storage.s3.credentials!())).toEqual({ accessKeyId: 'k', secretAccessKey: 's' });
    expect(() => loadRetentionConfig({ NODE_ENV: 'production' })).toThrow(/EXPORT_URL_SECRET: required in production/);
    expect(() => loadRetentionConfig({ EXPORT_URL_SECRET: 'short' })).toThrow(/EXPORT_URL_SECRET/);
  });
});

describe('reading NDJSON', () => {
  it('splits lines across chunks, including a character cut in two', async () => {
    const { ndjsonLines } = await import('../exports/service-collections');
    const bytes = Buffer.from('{"a":"é"}\n{"b":2}\n{"c":3}');
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let i = 0; i < bytes.length; i += 3) yield await Promise.resolve(bytes.subarray(i, i + 3));
    }
    const lines: string[] = [];
    for await (const line of ndjsonLines(chunks())) lines.push(line);
    expect(lines).toEqual(['{"a":"é"}', '{"b":2}', '{"c":3}']);
  });
});
