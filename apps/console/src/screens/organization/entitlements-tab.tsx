import { type FormEvent, useState } from 'react';
import {
  CancelEntitlementDocument,
  type CancellationReason,
  type EntitlementClass,
  GrantEntitlementDocument,
  type OrganizationEntitlementsQuery,
  OrganizationEntitlementsDocument,
  ReactivateEntitlementDocument,
  RecordPaymentFailureDocument,
  RecordPaymentRecoveredDocument,
  ResumeEntitlementDocument,
  SuspendEntitlementDocument,
} from '../../api/generated';
import { useMutation, useQuery } from '../../api/hooks';
import { Choice, ConfirmButton, Empty, ErrorMessage, Facts, Field, Loading, Notice, Section, StatusBadge } from '../../components/ui';
import { CANCELLATION_REASONS, CLASS_NAMES, ENTITLEMENT_CLASSES, formatDate, formatMoney, words } from '../../format';
import { useIsStaff } from '../../session';

type Data = NonNullable<OrganizationEntitlementsQuery['organization']>;
type Entitlement = Data['entitlements']['edges'][number]['node'];
type Policy = Data['cancellationPolicy'];
const STATUS_FILTERS = { OPEN: 'Active or suspended', ALL: 'All statuses', ACTIVE: 'Active', SUSPENDED: 'Suspended', CANCELLED: 'Cancelled' } as const;
type StatusFilter = keyof typeof STATUS_FILTERS;
const classLabel = (value: EntitlementClass) => `${value} — ${CLASS_NAMES[value]}`;

/** Entitlements: the filters narrow the organization's list (the API has no such filters yet). */
export function EntitlementsTab({ id, onChange }: { id: string; onChange: () => void }) {
  const staff = useIsStaff();
  const list = useQuery(OrganizationEntitlementsDocument, { id });
  const [status, setStatus] = useState<StatusFilter>('ALL');
  const [klass, setKlass] = useState<EntitlementClass | ''>('');
  const [openId, setOpenId] = useState<string | null>(null);
  const org = list.data?.organization;
  if (!list.data) return list.error ? <ErrorMessage error={list.error} /> : <Loading what="entitlements" />;
  if (!org) return <ErrorMessage error="The organization is no longer available." />;
  const all = org.entitlements.edges.map((edge) => edge.node);
  const shown = all.filter(
    (e) => (status === 'ALL' || (status === 'OPEN' ? e.status !== 'CANCELLED' : e.status === status)) && (!klass || e.class === klass),
  );
  const changed = () => {
    list.reload();
    onChange();
  };

  return (
    <>
      <Section title="Entitlements" actions={staff && org.status !== 'ARCHIVED' && org.status !== 'PURGED' ? <GrantForm organizationId={id} onDone={changed} /> : null}>
        <form className="filters" aria-label="Filter entitlements" onSubmit={(event) => event.preventDefault()}>
          <Choice label="Status" value={status} options={Object.keys(STATUS_FILTERS) as StatusFilter[]} onChange={(value) => value && setStatus(value)} describe={(value) => STATUS_FILTERS[value]} />
          <Choice label="Class" value={klass} options={ENTITLEMENT_CLASSES} empty="All classes" onChange={setKlass} describe={classLabel} />
        </form>
        <ErrorMessage error={list.error} />
        {shown.length === 0 ? (
          <Empty>No entitlement matches.</Empty>
        ) : (
          <table>
            <caption>
              {shown.length} of {org.entitlements.totalCount} entitlements
            </caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Class</th>
                <th scope="col">Status</th>
                <th scope="col">Granted</th>
                <th scope="col">Order reference</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((entitlement) => (
                <EntitlementRow
                  key={entitlement.id}
                  entitlement={entitlement}
                  policy={org.cancellationPolicy}
                  open={openId === entitlement.id}
                  onToggle={() => setOpenId(openId === entitlement.id ? null : entitlement.id)}
                  onChange={changed}
                />
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}

function EntitlementRow({ entitlement: e, policy, open, onToggle, onChange }: { entitlement: Entitlement; policy: Policy; open: boolean; onToggle: () => void; onChange: () => void }) {
  const staff = useIsStaff();
  return (
    <>
      <tr>
        <th scope="row">{e.product}</th>
        <td>
          <abbr title={CLASS_NAMES[e.class]}>{e.class}</abbr>
        </td>
        <td>
          <StatusBadge value={e.status} />
        </td>
        <td>{formatDate(e.grantedAt)}</td>
        <td>{e.orderReference ?? '—'}</td>
        <td>
          <button type="button" aria-expanded={open} aria-controls={`entitlement-${e.id}`} onClick={onToggle}>
            {open ? 'Close' : 'Open'}
            <span className="visually-hidden"> {e.product}</span>
          </button>
        </td>
      </tr>
      {open ? (
        <tr id={`entitlement-${e.id}`} className="detail-row">
          <td colSpan={6}>
            <Facts
              items={[
                ['Class', `${e.class} — ${CLASS_NAMES[e.class]}`],
                ['Prepaid until', formatDate(e.prepaidUntil)],
                ...(e.status === 'SUSPENDED'
                  ? ([
                      ['Suspended', `${formatDate(e.suspendedAt)} (${words(e.suspensionReason)})`],
                      ['Grace period ends', e.graceEndsAt ? `${formatDate(e.graceEndsAt)} — cancelled for non-payment then unless payment is recovered` : '—'],
                    ] as [string, string][])
                  : []),
                ...(e.status === 'CANCELLED'
                  ? ([
                      ['Cancelled', formatDate(e.cancelledAt)],
                      ['Reason', words(e.cancellationReason)],
                      ['Notes', e.cancellationNotes ?? '—'],
                      ['Visible in the portal until', formatDate(e.portalVisibleUntil)],
                      ['Can be reactivated until', e.policySnapshot?.allowReactivation ? formatDate(e.reactivatableUntil) : 'Not allowed by its policy'],
                      ['Refund', e.refundQuote ? `${formatMoney(e.refundQuote.amountMinor, e.refundQuote.currency)} for ${e.refundQuote.unusedDays} unused days` : 'None'],
                    ] as [string, string][])
                  : []),
                ...(e.reactivatedAt ? ([['Reactivated', formatDate(e.reactivatedAt)]] as [string, string][]) : []),
              ]}
            />
            {staff ? <EntitlementActions entitlement={e} policy={policy} onChange={onChange} /> : null}
          </td>
        </tr>
      ) : null}
    </>
  );
}

function EntitlementActions({ entitlement: e, policy, onChange }: { entitlement: Entitlement; policy: Policy; onChange: () => void }) {
  const cancel = useMutation(CancelEntitlementDocument);
  const suspend = useMutation(SuspendEntitlementDocument);
  const resume = useMutation(ResumeEntitlementDocument);
  const failure = useMutation(RecordPaymentFailureDocument);
  const recovered = useMutation(RecordPaymentRecoveredDocument);
  const [reason, setReason] = useState<CancellationReason | ''>('');
  const [notes, setNotes] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const simple = async (action: typeof suspend | typeof resume | typeof recovered, message: string) => {
    if (await action.run({ id: e.id })) {
      setNotice(message);
      onChange();
    }
  };
  return (
    <div className="actions wrap">
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorMessage error={suspend.error ?? resume.error ?? failure.error ?? recovered.error} />
      {e.status !== 'CANCELLED' ? (
        <ConfirmButton
          label="Cancel Entitlement"
          title={`Cancel ${e.product}?`}
          confirmLabel="Confirm Cancellation"
          danger
          busy={cancel.busy}
          error={cancel.error}
          canConfirm={reason !== ''}
          onConfirm={async () => {
            if (!reason) return false;
            const done = await cancel.run({ input: { entitlementId: e.id, reason, notes: notes.trim() || null } });
            if (done) {
              setNotice(`${e.product} is cancelled.`);
              onChange();
            }
            return Boolean(done);
          }}
        >
          <Choice label="Cancellation reason" hint="Required." value={reason} options={CANCELLATION_REASONS} empty="Choose a reason" onChange={setReason} />
          <Field label="Notes (optional)">{(props) => <textarea {...props} maxLength={2000} value={notes} onChange={(event) => setNotes(event.target.value)} />}</Field>
          <p>The cancellation policy in force ({words(policy.scope).toLowerCase()}) will apply and is kept with the cancellation:</p>
          <ul>
            <li>visible in the customer portal for {policy.portalVisibilityDays} days;</li>
            <li>data retained for {policy.dataRetentionDays} days, then purged;</li>
            <li>{policy.allowReactivation ? `can be reactivated within ${policy.reactivationWindowDays} days` : 'cannot be reactivated'};</li>
            <li>{policy.refundEligible ? 'a prorated refund of unused prepaid time is quoted' : 'no refund'}.</li>
          </ul>
          <p>Its downstream resources are deprovisioned as the provisioning policy says.</p>
        </ConfirmButton>
      ) : (
        <ReactivateForm entitlement={e} onDone={(message) => (setNotice(message), onChange())} />
      )}
      {e.status === 'ACTIVE' ? (
        <>
          <button type="button" disabled={suspend.busy} onClick={() => void simple(suspend, `${e.product} is suspended.`)}>
            Suspend
          </button>
          <ConfirmButton
            label="Record payment failure"
            title={`Record a payment failure for ${e.product}?`}
            confirmLabel="Record payment failure"
            busy={failure.busy}
            error={failure.error}
            onConfirm={async () => {
              const done = await failure.run({ id: e.id });
              if (done) {
                setNotice(`Payment failure recorded: the grace period ends ${formatDate(done.recordPaymentFailure.graceEndsAt)}.`);
                onChange();
              }
              return Boolean(done);
            }}
          >
            <p>
              The entitlement is suspended and a grace period of {policy.gracePeriodDays} days starts. If payment is not recovered by then, it is cancelled for
              non-payment automatically.
            </p>
          </ConfirmButton>
        </>
      ) : null}
      {e.status === 'SUSPENDED' ? (
        e.suspensionReason === 'NON_PAYMENT' ? (
          <button type="button" disabled={recovered.busy} onClick={() => void simple(recovered, `Payment recovered: ${e.product} is active again.`)}>
            Record payment recovered
          </button>
        ) : (
          <button type="button" disabled={resume.busy} onClick={() => void simple(resume, `${e.product} is active again.`)}>
            Resume
          </button>
        )
      ) : null}
    </div>
  );
}

function ReactivateForm({ entitlement: e, onDone }: { entitlement: Entitlement; onDone: (message: string) => void }) {
  const reactivate = useMutation(ReactivateEntitlementDocument);
  const [reference, setReference] = useState('');
  return (
    <ConfirmButton
      label="Reactivate"
      title={`Reactivate ${e.product}?`}
      confirmLabel="Reactivate"
      busy={reactivate.busy}
      error={reactivate.error}
      canConfirm={reference.trim() !== ''}
      onConfirm={async () => {
        const done = await reactivate.run({ input: { entitlementId: e.id, reference: reference.trim() } });
        if (done) onDone(`${e.product} is active again; its resources are provisioned again.`);
        return Boolean(done);
      }}
    >
      <p>
        Reactivation needs a new payment or order. It is allowed until {formatDate(e.reactivatableUntil)} and unarchives the organization; downstream resources are
        provisioned again.
      </p>
      <Field label="New order or payment reference" hint="Required.">
        {(props) => <input {...props} required value={reference} onChange={(event) => setReference(event.target.value)} />}
      </Field>
    </ConfirmButton>
  );
}

function GrantForm({ organizationId, onDone }: { organizationId: string; onDone: () => void }) {
  const grant = useMutation(GrantEntitlementDocument);
  const [open, setOpen] = useState(false);
  const [klass, setKlass] = useState<EntitlementClass>('PLG');
  const [product, setProduct] = useState('');
  const [reference, setReference] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Grant entitlement
      </button>
    );
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(product.trim() ? null : 'Enter the product name.');
    if (!product.trim()) return;
    if (await grant.run({ input: { organizationId, class: klass, product: product.trim(), orderReference: reference.trim() || null } })) {
      setOpen(false);
      setProduct('');
      setReference('');
      onDone();
    }
  };
  return (
    <form className="inline-form" aria-label="Grant entitlement" onSubmit={(event) => void submit(event)} noValidate>
      <Choice label="Class" value={klass} options={ENTITLEMENT_CLASSES} onChange={(value) => value && setKlass(value)} describe={classLabel} />
      <Field label="Product" error={problem}>
        {(props) => <input {...props} value={product} onChange={(event) => setProduct(event.target.value)} />}
      </Field>
      <Field label="Order reference (optional)">{(props) => <input {...props} value={reference} onChange={(event) => setReference(event.target.value)} />}</Field>
      <ErrorMessage error={grant.error} />
      <div className="actions">
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={grant.busy}>
          Grant
        </button>
      </div>
    </form>
  );
}
