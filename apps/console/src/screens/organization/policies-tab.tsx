import { type FormEvent, useEffect, useState } from 'react';
import { OffboardingPolicyDocument, SetOffboardingPolicyDocument } from '../../api/generated';
import { useMutation, useQuery } from '../../api/hooks';
import { ErrorMessage, Field, Loading, Notice, Section } from '../../components/ui';
import { words } from '../../format';
import { CancellationPolicyForm } from '../settings/cancellation-policy-form';

const DAYS = [
  ['exportWindowDays', 'Export window closes (days after day 0)'],
  ['ssoShutdownDays', 'SSO shutdown (days after day 0)'],
  ['piiMaskingDays', 'Personal data masked (days after day 0)'],
  ['portalHiddenDays', 'Portal hidden (days after day 0)'],
  ['finalConfirmationDays', 'Final confirmation (days after day 0)'],
  ['retentionDays', 'Purge eligible (days after day 0)'],
] as const;
type DayKey = (typeof DAYS)[number][0];

/** The organization's own policies: cancellation, deprovisioning and the offboarding timeline. */
export function OrganizationPoliciesTab({ id }: { id: string }) {
  return (
    <>
      <CancellationPolicyForm organizationId={id} />
      <OffboardingPolicyForm id={id} />
    </>
  );
}

function OffboardingPolicyForm({ id }: { id: string }) {
  const query = useQuery(OffboardingPolicyDocument, { organizationId: id });
  const save = useMutation(SetOffboardingPolicyDocument);
  const [values, setValues] = useState<Record<DayKey, string>>({ exportWindowDays: '', ssoShutdownDays: '', piiMaskingDays: '', portalHiddenDays: '', finalConfirmationDays: '', retentionDays: '' });
  const [problems, setProblems] = useState<Partial<Record<DayKey, string>>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const policy = query.data?.offboardingPolicy;
  useEffect(() => {
    if (!policy) return;
    const text = (value: number | null) => (value === null ? '' : String(value));
    setValues({
      exportWindowDays: text(policy.exportWindowDays),
      ssoShutdownDays: text(policy.ssoShutdownDays),
      piiMaskingDays: text(policy.piiMaskingDays),
      portalHiddenDays: text(policy.portalHiddenDays),
      finalConfirmationDays: text(policy.finalConfirmationDays),
      retentionDays: text(policy.retentionDays),
    });
  }, [policy]);
  if (!query.data) return query.error ? <ErrorMessage error={query.error} /> : <Loading what="the offboarding policy" />;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: Partial<Record<DayKey, string>> = {};
    const input: Partial<Record<DayKey, number | null>> = {};
    for (const [key] of DAYS) {
      if (values[key] === '') {
        input[key] = null;
        continue;
      }
      const number = Number(values[key]);
      if (!Number.isInteger(number) || number < 0 || number > 36500) found[key] = 'Enter a whole number of days, or leave empty for the event-driven default.';
      else input[key] = number;
    }
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    if (await save.run({ input: { organizationId: id, ...input } })) {
      setNotice('The offboarding policy is saved; the next offboarding of this organization uses it.');
      query.reload();
    }
  };
  return (
    <Section title={`Offboarding policy (${words(policy?.organizationType ?? '')} defaults with this organization's overrides)`}>
      {notice ? <Notice>{notice}</Notice> : null}
      <form aria-label="Offboarding policy" onSubmit={(event) => void submit(event)} noValidate>
        {DAYS.map(([key, label]) => (
          <Field key={key} label={label} hint="Empty: at the event (archive, purge)." error={problems[key]}>
            {(props) => <input {...props} type="number" min={0} value={values[key]} onChange={(event) => setValues({ ...values, [key]: event.target.value })} />}
          </Field>
        ))}
        <ErrorMessage error={save.error} />
        <button type="submit" className="primary" disabled={save.busy}>
          Save offboarding policy
        </button>
      </form>
    </Section>
  );
}
