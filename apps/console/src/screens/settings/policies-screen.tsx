import { CancellationPolicyForm } from './cancellation-policy-form';

/** Settings > Policies: the global policies (per organization: the organization's Policies tab). */
export function PoliciesScreen() {
  return (
    <>
      <h1>Settings: Policies</h1>
      <p>
        Global policies apply to every organization without its own. An organization's own policies are on its Policies tab; the offboarding policy (milestone
        days) is set per organization there — each organization type has the defaults of the offboarding timeline.
      </p>
      <CancellationPolicyForm organizationId={null} />
    </>
  );
}
