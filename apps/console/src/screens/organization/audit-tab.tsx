import { useState } from 'react';
import { OrganizationAuditTrailDocument, type VerifyAuditTrailQuery, VerifyAuditTrailDocument } from '../../api/generated';
import { useQuery } from '../../api/hooks';
import { request } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { Empty, ErrorMessage, Loading, Pager, Section, usePager } from '../../components/ui';
import { formatDateTime } from '../../format';
import { useIsStaff } from '../../session';

const PAGE_SIZE = 25;

/** The audit trail, page by page, and (staff) the chain verified again by the server. */
export function AuditTab({ id }: { id: string }) {
  const staff = useIsStaff();
  const pager = usePager();
  const trail = useQuery(OrganizationAuditTrailDocument, { id, first: PAGE_SIZE, after: pager.after });
  const [verification, setVerification] = useState<VerifyAuditTrailQuery['verifyAuditTrail'] | null>(null);
  const [verifyError, setVerifyError] = useState<string | null>(null);
  const [verifying, setVerifying] = useState(false);
  const connection = trail.data?.organization?.auditTrail;
  const verify = async () => {
    setVerifying(true);
    setVerifyError(null);
    try {
      setVerification((await request(VerifyAuditTrailDocument, { organizationId: id })).verifyAuditTrail);
    } catch (error) {
      setVerifyError(errorMessage(error));
    } finally {
      setVerifying(false);
    }
  };
  return (
    <Section
      title="Audit trail"
      actions={
        staff ? (
          <button type="button" disabled={verifying} onClick={() => void verify()}>
            {verifying ? 'Verifying…' : 'Verify the chain'}
          </button>
        ) : null
      }
    >
      <ErrorMessage error={verifyError ?? trail.error} />
      {verification ? (
        <p className={`message ${verification.intact ? 'success' : 'error'}`} role="status">
          {verification.intact
            ? `The chain is intact: all ${verification.checkedEntries} entries verify.`
            : `The chain is broken at entry ${verification.firstBrokenSequence ?? '?'}: ${verification.reason ?? 'a hash does not match'}.`}
        </p>
      ) : null}
      {!connection ? (
        <Loading what="the audit trail" />
      ) : connection.edges.length === 0 ? (
        <Empty>No audit entries yet.</Empty>
      ) : (
        <table>
          <caption>
            {connection.totalCount} entries, oldest first; page {pager.page}
          </caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">Service</th>
              <th scope="col">Details</th>
              <th scope="col">Hash</th>
            </tr>
          </thead>
          <tbody>
            {connection.edges.map(({ node }) => (
              <tr key={node.sequence}>
                <td>{node.sequence}</td>
                <td>{formatDateTime(node.occurredAt)}</td>
                <td>{node.eventType.replace(/^com\.offboarding\.[a-z]+\./, '').replace(/\.v\d+$/, '').replace(/_/g, ' ')}</td>
                <td>{node.source.replace(/^.*\//, '')}</td>
                <td className="details">{node.details}</td>
                <td>
                  <code>{node.hash.slice(0, 10)}…</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pager={pager} pageInfo={connection?.pageInfo} label="Audit trail pages" />
    </Section>
  );
}
