import { type FormEvent, useRef, useState } from 'react';
import {
  CancelOffboardingDocument,
  type CancellationReason,
  ExtendExportWindowDocument,
  OrganizationOffboardingDocument,
  PreviewOffboardingTimelineDocument,
  type PreviewOffboardingTimelineQuery,
  StartOffboardingDocument,
} from '../../api/generated';
import { useMutation, useQuery } from '../../api/hooks';
import { request } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { Choice, ConfirmButton, Empty, ErrorMessage, Facts, Field, Loading, Notice, Section, StatusBadge } from '../../components/ui';
import { CANCELLATION_REASONS, formatDate, words } from '../../format';
import { Timeline } from '../../timeline/timeline';
import { useIsStaff } from '../../session';

/** How many times (every 500 ms) the tab asks again for a timeline that is being prepared. */
const TIMELINE_POLLS = 20;

/** An offboarding that is scheduled or under way whose timeline the retention service has not opened yet. */
function awaitsTimeline(org: { offboarding?: { status: string } | null; timeline?: unknown } | null | undefined): boolean {
  const status = org?.offboarding?.status;
  return (status === 'SCHEDULED' || status === 'ENTITLEMENTS_CANCELLED') && !org?.timeline;
}

/** Offboarding: start it (with the timeline previewed first), follow the live timeline, extend the export window. */
export function OffboardingTab({ id, onChange }: { id: string; onChange: () => void }) {
  const staff = useIsStaff();
  // Right after a start the case is there before its timeline: the retention service opens it when
  // the start's event reaches it, a moment later. The tab asks again until it is (for a while).
  const timelinePolls = useRef(0);
  const query = useQuery(
    OrganizationOffboardingDocument,
    { id, staff },
    {
      pollMs: 500,
      poll: (data) => {
        if (!awaitsTimeline(data.organization)) {
          timelinePolls.current = 0;
          return false;
        }
        timelinePolls.current += 1;
        return timelinePolls.current <= TIMELINE_POLLS;
      },
    },
  );
  const extend = useMutation(ExtendExportWindowDocument);
  const cancel = useMutation(CancelOffboardingDocument);
  const [days, setDays] = useState('7');
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const org = query.data?.organization;
  if (!query.data) return query.error ? <ErrorMessage error={query.error} /> : <Loading what="the offboarding" />;
  if (!org) return <ErrorMessage error="The organization is no longer available." />;
  const changed = () => {
    query.reload();
    onChange();
  };
  const running = org.offboarding && (org.offboarding.status === 'SCHEDULED' || org.offboarding.status === 'ENTITLEMENTS_CANCELLED');
  const daysValue = Number(days);
  const daysValid = Number.isInteger(daysValue) && daysValue >= 1 && daysValue <= 365;

  return (
    <>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorMessage error={query.error} />
      {org.offboarding ? (
        <Section
          title="Offboarding case"
          actions={
            staff && org.offboarding.status === 'SCHEDULED' ? (
              <ConfirmButton
                label="Withdraw offboarding"
                title="Withdraw the offboarding?"
                confirmLabel="Withdraw"
                danger
                busy={cancel.busy}
                error={cancel.error}
                onConfirm={async () => {
                  const done = await cancel.run({ organizationId: id });
                  if (done) changed();
                  return Boolean(done);
                }}
              >
                <p>Day 0 has not come yet: nothing was cancelled. The scheduled cancellation and its timeline are dropped.</p>
              </ConfirmButton>
            ) : null
          }
        >
          <Facts
            items={[
              ['Status', <StatusBadge key="s" value={org.offboarding.status} />],
              ['Day 0', formatDate(org.offboarding.dayZero)],
              ['Reason', words(org.offboarding.reason)],
              ['Point of contact', org.offboarding.pointOfContact],
              ['Notes', org.offboarding.notes ?? '—'],
              ['Started', formatDate(org.offboarding.startedAt)],
              ['Entitlements cancelled', formatDate(org.offboarding.entitlementsCancelledAt)],
            ]}
          />
        </Section>
      ) : null}
      {awaitsTimeline(org) ? <Notice>The timeline is being prepared; it shows here in a moment.</Notice> : null}
      {org.timeline ? (
        <Section title="Timeline">
          <Timeline timeline={org.timeline} caption={`${words(org.timeline.organizationType)} offboarding timeline from day 0 = ${org.timeline.dayZero}`} />
        </Section>
      ) : null}
      {org.retention ? (
        <Section
          title="Retention"
          actions={
            staff && org.retention.status === 'OPEN' ? (
              <ConfirmButton
                label="Extend export window"
                title="Extend the export window?"
                confirmLabel="Extend"
                busy={extend.busy}
                error={extend.error ?? (daysValid ? null : 'Enter a whole number of days from 1 to 365.')}
                canConfirm={daysValid && reason.trim() !== ''}
                onConfirm={async () => {
                  const done = await extend.run({ organizationId: id, days: daysValue, reason: reason.trim() });
                  if (done) {
                    setNotice(`The export window now closes ${formatDate(done.extendExportWindow.exportWindowClosesAt)}.`);
                    changed();
                  }
                  return Boolean(done);
                }}
              >
                <p>
                  The customer may export for longer. Every later milestone that ends access or destroys data (SSO shutdown, masking, portal) moves with it, so none
                  falls inside the window.
                </p>
                <Field label="Extra days" hint="1 to 365.">
                  {(props) => <input {...props} type="number" min={1} max={365} value={days} onChange={(event) => setDays(event.target.value)} />}
                </Field>
                <Field label="Reason" hint="Required, e.g. the customer's request.">
                  {(props) => <input {...props} required value={reason} onChange={(event) => setReason(event.target.value)} />}
                </Field>
              </ConfirmButton>
            ) : null
          }
        >
          <Facts
            items={[
              ['Status', <StatusBadge key="s" value={org.retention.status} />],
              ['Export window closes', formatDate(org.retention.exportWindowClosesAt)],
              ['Purge eligible', formatDate(org.retention.purgeEligibleAt)],
              ['Retained until', formatDate(org.retention.retainedUntil)],
              ['Legal hold', org.retention.onLegalHold ? 'Yes' : 'No'],
            ]}
          />
          {org.retention.extensions && org.retention.extensions.length > 0 ? (
            <ul className="plain">
              {org.retention.extensions.map((extension) => (
                <li key={extension.createdAt}>
                  {words(extension.kind)} extended from {formatDate(extension.previousUntil)} to {formatDate(extension.until)}: {extension.reason}
                </li>
              ))}
            </ul>
          ) : null}
        </Section>
      ) : null}
      {!running && staff && org.status !== 'ARCHIVED' && org.status !== 'PURGED' ? <StartOffboarding id={id} onStarted={changed} /> : null}
      {!org.offboarding && !org.timeline && !staff ? <Empty>No offboarding is under way.</Empty> : null}
    </>
  );
}

const todayUtc = () => new Date().toISOString().slice(0, 10);

function StartOffboarding({ id, onStarted }: { id: string; onStarted: () => void }) {
  const start = useMutation(StartOffboardingDocument);
  const [dayZero, setDayZero] = useState(todayUtc);
  const [reason, setReason] = useState<CancellationReason | ''>('');
  const [contact, setContact] = useState('');
  const [notes, setNotes] = useState('');
  const [problems, setProblems] = useState<{ dayZero?: string; reason?: string; contact?: string }>({});
  const [preview, setPreview] = useState<PreviewOffboardingTimelineQuery['previewOffboardingTimeline'] | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);

  const validate = () => {
    const found = {
      dayZero: /^\d{4}-\d{2}-\d{2}$/.test(dayZero) ? undefined : 'Enter day 0, the last day of the contract.',
      reason: reason ? undefined : 'Choose the reason.',
      contact: contact.trim() ? undefined : 'Name the account manager or CSM who coordinates the offboarding.',
    };
    setProblems(found);
    return !found.dayZero && !found.reason && !found.contact;
  };
  const showPreview = async (event: FormEvent) => {
    event.preventDefault();
    setPreview(null);
    if (!validate()) return;
    try {
      setPreviewError(null);
      setPreview((await request(PreviewOffboardingTimelineDocument, { organizationId: id, dayZero })).previewOffboardingTimeline);
    } catch (error) {
      setPreviewError(errorMessage(error));
    }
  };

  return (
    <Section title="Start offboarding">
      <form aria-label="Start offboarding" onSubmit={(event) => void showPreview(event)} noValidate>
        <Field label="Day 0" hint="The last day of the contract. In the future, the entitlements are cancelled on that day." error={problems.dayZero}>
          {(props) => <input {...props} type="date" value={dayZero} onChange={(event) => (setDayZero(event.target.value), setPreview(null))} />}
        </Field>
        <Choice label="Reason" error={problems.reason} value={reason} options={CANCELLATION_REASONS} empty="Choose a reason" onChange={setReason} />
        <Field label="Point of contact" hint="The account manager or CSM." error={problems.contact}>
          {(props) => <input {...props} value={contact} onChange={(event) => setContact(event.target.value)} />}
        </Field>
        <Field label="Notes (optional)">{(props) => <textarea {...props} maxLength={2000} value={notes} onChange={(event) => setNotes(event.target.value)} />}</Field>
        <ErrorMessage error={previewError} />
        <button type="submit">Preview timeline</button>
      </form>
      {preview ? (
        <>
          <Timeline timeline={preview} caption={`Preview: the timeline if day 0 is ${preview.dayZero}`} />
          <ConfirmButton
            label="Start offboarding"
            title="Start the offboarding?"
            confirmLabel="Start offboarding"
            danger
            busy={start.busy}
            error={start.error}
            onConfirm={async () => {
              if (!validate() || !reason) return false;
              const done = await start.run({ input: { organizationId: id, dayZero, reason, pointOfContact: contact.trim(), notes: notes.trim() || null } });
              if (done) onStarted();
              return Boolean(done);
            }}
          >
            <p>
              On day 0 ({dayZero}) every entitlement is cancelled ({words(reason || 'OTHER').toLowerCase()}) and access is restricted; the milestones above then run
              on their own: the export window, SSO shutdown, masking, the portal, the final confirmation and the purge.
            </p>
          </ConfirmButton>
        </>
      ) : null}
    </Section>
  );
}
