import { useState } from 'react';
import { OrganizationDataExportsDocument, RequestDataExportDocument } from '../../api/generated';
import { useMutation, useQuery } from '../../api/hooks';
import { Empty, ErrorMessage, Loading, Notice, Section, StatusBadge } from '../../components/ui';
import { formatBytes, formatDateTime } from '../../format';

const RUNNING = new Set(['PENDING', 'RUNNING']);

/** Data: generate an export of everything the organization has, watch it run, download it. */
export function DataTab({ id }: { id: string }) {
  const query = useQuery(
    OrganizationDataExportsDocument,
    { id },
    // While an export runs the list is asked again every second; it stops once none runs.
    { pollMs: 1000, poll: (data) => (data.organization?.dataExports ?? []).some((item) => RUNNING.has(item.status)) },
  );
  const requestExport = useMutation(RequestDataExportDocument);
  const [notice, setNotice] = useState<string | null>(null);
  const exports = query.data?.organization?.dataExports;
  const generate = async () => {
    const done = await requestExport.run({ organizationId: id });
    if (done) {
      setNotice('The data export has started. It appears below; the download link shows when it is ready.');
      query.reload();
    }
  };
  return (
    <Section
      title="Data exports"
      actions={
        <button type="button" className="primary" disabled={requestExport.busy} onClick={() => void generate()}>
          Generate Data Export
        </button>
      }
    >
      <p>
        A ZIP with one JSON and one CSV file per collection (organization, entitlements, orders, invoices, contracts, documents, resources, users, audit trail; never
        secrets) and a manifest with counts and SHA-256 checksums. Download links are signed and expire.
      </p>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorMessage error={requestExport.error ?? query.error} />
      {!exports ? (
        <Loading what="exports" />
      ) : exports.length === 0 ? (
        <Empty>No data export yet.</Empty>
      ) : (
        <table>
          <caption>Exports, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Requested</th>
              <th scope="col">Status</th>
              <th scope="col">Collections</th>
              <th scope="col">Size</th>
              <th scope="col">Download</th>
            </tr>
          </thead>
          <tbody>
            {exports.map((item) => (
              <tr key={item.id}>
                <td>{formatDateTime(item.requestedAt)}</td>
                <td>
                  <StatusBadge value={item.status} />
                  {RUNNING.has(item.status) ? <span className="visually-hidden"> (in progress)</span> : null}
                  {item.error ? <p className="field-error">{item.error}</p> : null}
                </td>
                <td>{item.collections.length > 0 ? `${item.collections.length} collections, ${item.collections.reduce((sum, c) => sum + c.rows, 0)} rows` : '—'}</td>
                <td>{formatBytes(item.sizeBytes)}</td>
                <td>
                  {item.downloadUrl ? (
                    <a href={item.downloadUrl} download>
                      Download ZIP<span className="visually-hidden"> of {formatDateTime(item.requestedAt)}</span>
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
