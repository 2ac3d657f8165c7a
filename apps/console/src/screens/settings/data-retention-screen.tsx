import { useState } from 'react';
import { Link } from '../../app';
import {
  ApprovePurgeDocument,
  ExtendRetentionDocument,
  OrganizationNameDocument,
  PlaceLegalHoldDocument,
  type PurgeQueueQuery,
  PurgeQueueDocument,
  ReleaseLegalHoldDocument,
} from '../../api/generated';
import { useMutation, useQuery } from '../../api/hooks';
import { CollectionCounts, ConfirmButton, Empty, ErrorMessage, Field, Loading, Notice, Pager, StatusBadge, usePager } from '../../components/ui';
import { formatDate, words } from '../../format';

type Entry = PurgeQueueQuery['purgeQueue']['edges'][number]['node'];

/** Settings > Data Retention: the purge queue, what a purge would delete, and the decisions. */
export function DataRetentionScreen() {
  const pager = usePager();
  const queue = useQuery(PurgeQueueDocument, { after: pager.after });
  const [notice, setNotice] = useState<string | null>(null);
  const entries = queue.data?.purgeQueue.edges.map((edge) => edge.node);
  const changed = (message: string) => {
    setNotice(message);
    queue.reload();
  };
  return (
    <>
      <h1>Settings: Data Retention</h1>
      <p>
        Organizations whose retention period has ended. Review what a purge would delete, extend retention or place a legal hold where needed, and approve. The
        purge job then deletes the data of approved organizations that are not on hold, keeps a tombstone (name, tax ID, dates) and issues a deletion
        certificate. An admin who last extended retention or released a hold cannot approve that organization: a second admin must.
      </p>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorMessage error={queue.error} />
      {!entries ? (
        <Loading what="the purge queue" />
      ) : entries.length === 0 ? (
        <Empty>The purge queue is empty: no organization's retention has ended.</Empty>
      ) : (
        <>
          <p>{queue.data?.purgeQueue.totalCount} organizations in the purge queue.</p>
          {entries.map((entry) => (
            <QueueEntry key={entry.organizationId} entry={entry} onChange={changed} />
          ))}
        </>
      )}
      <Pager pager={pager} pageInfo={queue.data?.purgeQueue.pageInfo} label="Purge queue pages" />
    </>
  );
}

function QueueEntry({ entry, onChange }: { entry: Entry; onChange: (message: string) => void }) {
  // The queue entry carries only the organization's id: its name is asked separately.
  const name = useQuery(OrganizationNameDocument, { id: entry.organizationId });
  const label = name.data?.organization?.name ?? entry.organizationId;
  const approve = useMutation(ApprovePurgeDocument);
  const extend = useMutation(ExtendRetentionDocument);
  const hold = useMutation(PlaceLegalHoldDocument);
  const release = useMutation(ReleaseLegalHoldDocument);
  const [until, setUntil] = useState('');
  const [reason, setReason] = useState('');
  const total = entry.deletionPreview.reduce((sum, row) => sum + row.rows, 0);
  const reasonOk = reason.trim() !== '';
  const decided = entry.purgeRequest?.status === 'COMPLETED' || entry.status === 'PURGED';

  return (
    <article className="card" aria-label={`Purge queue: ${label}`}>
      <h2>
        <Link to={{ name: 'organization', id: entry.organizationId, tab: 'overview' }}>{label}</Link> <StatusBadge value={entry.status} />
        {entry.onLegalHold ? <StatusBadge value="LEGAL_HOLD" /> : null}
      </h2>
      <p>
        {words(entry.organizationType)} · purge eligible since {formatDate(entry.purgeEligibleAt)}
        {entry.purgeRequest ? ` · purge ${words(entry.purgeRequest.status).toLowerCase()}${entry.purgeRequest.approvedAt ? ` ${formatDate(entry.purgeRequest.approvedAt)}` : ''}` : ' · not approved yet'}
        {entry.lastDecisionChange ? ` · last change: ${words(entry.lastDecisionChange).toLowerCase()}` : ''}
      </p>
      <details>
        <summary>What a purge would delete now: {total} rows</summary>
        <CollectionCounts caption="Rows per service and collection" rows={entry.deletionPreview} />
      </details>
      {decided ? null : (
        <div className="actions wrap">
          <ConfirmButton
            label="Approve purge"
            title={`Approve the purge of ${label}?`}
            confirmLabel="Approve purge"
            danger
            busy={approve.busy}
            error={approve.error}
            onConfirm={async () => {
              const done = await approve.run({ organizationId: entry.organizationId });
              if (done) onChange(`The purge of ${label} is approved; the next purge run deletes its data${entry.onLegalHold ? ' once the legal hold is released' : ''}.`);
              return Boolean(done);
            }}
          >
            <p>
              The next purge run permanently deletes {total} rows of {label} in every service (shown above). Only a tombstone (name, tax ID, key dates), the audit
              trail and the deletion certificate remain. This cannot be undone.
            </p>
          </ConfirmButton>
          <ConfirmButton
            label="Extend retention"
            title={`Extend the retention of ${label}?`}
            confirmLabel="Extend retention"
            busy={extend.busy}
            error={extend.error}
            canConfirm={reasonOk && /^\d{4}-\d{2}-\d{2}$/.test(until)}
            onConfirm={async () => {
              const done = await extend.run({ input: { organizationId: entry.organizationId, until, reason: reason.trim() } });
              if (done) onChange(`${label} is retained until ${formatDate(done.extendRetention.retainedUntil)}.`);
              return Boolean(done);
            }}
          >
            <p>The organization leaves the purge queue until the new date; an approval already given is revoked.</p>
            <Field label="Retain until" hint="A date after today.">
              {(props) => <input {...props} type="date" required value={until} onChange={(event) => setUntil(event.target.value)} />}
            </Field>
            <Field label="Reason" hint="Required.">
              {(props) => <input {...props} required value={reason} onChange={(event) => setReason(event.target.value)} />}
            </Field>
          </ConfirmButton>
          {entry.onLegalHold ? (
            <ConfirmButton
              label="Release legal hold"
              title={`Release the legal hold on ${label}?`}
              confirmLabel="Release hold"
              danger
              busy={release.busy}
              error={release.error}
              canConfirm={reasonOk}
              onConfirm={async () => {
                const done = await release.run({ input: { organizationId: entry.organizationId, reason: reason.trim() } });
                if (done) onChange(`The legal hold on ${label} is released. Another admin must approve its purge.`);
                return Boolean(done);
              }}
            >
              <p>Masking and purge may go ahead again. An approval given before is revoked, and you will not be able to approve this purge yourself.</p>
              <Field label="Reason" hint="Required.">
                {(props) => <input {...props} required value={reason} onChange={(event) => setReason(event.target.value)} />}
              </Field>
            </ConfirmButton>
          ) : (
            <ConfirmButton
              label="Place legal hold"
              title={`Place a legal hold on ${label}?`}
              confirmLabel="Place hold"
              busy={hold.busy}
              error={hold.error}
              canConfirm={reasonOk}
              onConfirm={async () => {
                const done = await hold.run({ input: { organizationId: entry.organizationId, reason: reason.trim() } });
                if (done) onChange(`${label} is on legal hold: nothing is masked or purged until it is released.`);
                return Boolean(done);
              }}
            >
              <p>Nothing of this organization is masked or purged while the hold lasts.</p>
              <Field label="Reason" hint="Required, e.g. a court order reference.">
                {(props) => <input {...props} required value={reason} onChange={(event) => setReason(event.target.value)} />}
              </Field>
            </ConfirmButton>
          )}
        </div>
      )}
    </article>
  );
}
