import { type FormEvent, useEffect, useState } from 'react';
import {
  CancellationPolicyDocument,
  type EntitlementClass,
  SetCancellationPolicyDocument,
  SetProvisioningPolicyDocument,
} from '../../api/generated';
import { useMutation, useQuery } from '../../api/hooks';
import { ErrorMessage, Field, Loading, Notice, Section } from '../../components/ui';
import { CLASS_NAMES, words } from '../../format';

const NUMBERS = [
  ['portalVisibilityDays', 'Portal visibility (days)', 'How long a cancelled entitlement stays visible in the customer portal.'],
  ['dataRetentionDays', 'Data retention (days)', 'How long data is kept after cancellation before it is purged.'],
  ['reactivationWindowDays', 'Reactivation window (days)', 'How long after cancellation reactivation is allowed.'],
  ['gracePeriodDays', 'Payment grace period (days)', 'After a payment failure, how long before the entitlement is cancelled for non-payment.'],
] as const;
type NumberKey = (typeof NUMBERS)[number][0];

/** The cancellation policy and deprovision-on-cancel per class, global (no organization) or for one organization. */
export function CancellationPolicyForm({ organizationId }: { organizationId: string | null }) {
  const query = useQuery(CancellationPolicyDocument, { organizationId });
  const save = useMutation(SetCancellationPolicyDocument);
  const saveProvisioning = useMutation(SetProvisioningPolicyDocument);
  const [values, setValues] = useState<Record<NumberKey, string>>({ portalVisibilityDays: '', dataRetentionDays: '', reactivationWindowDays: '', gracePeriodDays: '' });
  const [allowReactivation, setAllowReactivation] = useState(true);
  const [refundEligible, setRefundEligible] = useState(false);
  const [problems, setProblems] = useState<Partial<Record<NumberKey, string>>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const policy = query.data?.cancellationPolicy;

  useEffect(() => {
    if (!policy) return;
    setValues({
      portalVisibilityDays: String(policy.portalVisibilityDays),
      dataRetentionDays: String(policy.dataRetentionDays),
      reactivationWindowDays: String(policy.reactivationWindowDays),
      gracePeriodDays: String(policy.gracePeriodDays),
    });
    setAllowReactivation(policy.allowReactivation);
    setRefundEligible(policy.refundEligible);
  }, [policy]);

  if (!query.data) return query.error ? <ErrorMessage error={query.error} /> : <Loading what="the policy" />;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: Partial<Record<NumberKey, string>> = {};
    for (const [key] of NUMBERS) {
      const number = Number(values[key]);
      if (values[key] === '' || !Number.isInteger(number) || number < 0 || number > 36500) found[key] = 'Enter a whole number of days from 0 to 36500.';
    }
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const done = await save.run({
      input: {
        organizationId,
        portalVisibilityDays: Number(values.portalVisibilityDays),
        dataRetentionDays: Number(values.dataRetentionDays),
        reactivationWindowDays: Number(values.reactivationWindowDays),
        gracePeriodDays: Number(values.gracePeriodDays),
        allowReactivation,
        refundEligible,
      },
    });
    if (done) {
      setNotice('The cancellation policy is saved. Cancellations from now on use it; earlier ones keep the policy they were made under.');
      query.reload();
    }
  };
  const toggleClass = async (klass: EntitlementClass, deprovisionOnCancel: boolean) => {
    if (await saveProvisioning.run({ input: { organizationId, class: klass, deprovisionOnCancel } })) query.reload();
  };

  return (
    <>
      <Section title={organizationId ? 'Cancellation policy for this organization' : 'Cancellation policy (global)'}>
        <p>In force: {words(policy?.scope)} policy.</p>
        {notice ? <Notice>{notice}</Notice> : null}
        <form aria-label="Cancellation policy" onSubmit={(event) => void submit(event)} noValidate>
          {NUMBERS.map(([key, label, hint]) => (
            <Field key={key} label={label} hint={hint} error={problems[key]}>
              {(props) => <input {...props} type="number" min={0} value={values[key]} onChange={(event) => setValues({ ...values, [key]: event.target.value })} />}
            </Field>
          ))}
          <div className="field checkbox">
            <input id={`allow-reactivation-${organizationId ?? 'global'}`} type="checkbox" checked={allowReactivation} onChange={(event) => setAllowReactivation(event.target.checked)} />
            <label htmlFor={`allow-reactivation-${organizationId ?? 'global'}`}>Allow reactivation</label>
          </div>
          <div className="field checkbox">
            <input id={`refund-${organizationId ?? 'global'}`} type="checkbox" checked={refundEligible} onChange={(event) => setRefundEligible(event.target.checked)} />
            <label htmlFor={`refund-${organizationId ?? 'global'}`}>Refund eligible (prorated refund of unused prepaid time)</label>
          </div>
          <ErrorMessage error={save.error} />
          <button type="submit" className="primary" disabled={save.busy}>
            Save cancellation policy
          </button>
        </form>
      </Section>
      <Section title="Deprovision on cancel, per class">
        <ErrorMessage error={saveProvisioning.error} />
        <table>
          <caption>What happens to downstream resources when an entitlement is cancelled</caption>
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Deprovision on cancel</th>
              <th scope="col">Set by</th>
            </tr>
          </thead>
          <tbody>
            {query.data.effectiveProvisioningPolicies.map((item) => (
              <tr key={item.class}>
                <th scope="row">
                  {item.class} — {CLASS_NAMES[item.class]}
                </th>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Deprovision ${CLASS_NAMES[item.class]} on cancel`}
                    checked={item.deprovisionOnCancel}
                    disabled={saveProvisioning.busy}
                    onChange={(event) => void toggleClass(item.class, event.target.checked)}
                  />
                </td>
                <td>{words(item.source)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}
