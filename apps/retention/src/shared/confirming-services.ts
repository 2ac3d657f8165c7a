/**
 * The services that hold an organization's data and must confirm its masking and its purge
 * (retention purges its own rows itself). The one place this list lives.
 */
export const CONFIRMING_SERVICES = ['entitlements', 'provisioning', 'identity'] as const;
export type ConfirmingService = (typeof CONFIRMING_SERVICES)[number];

export function isConfirmingService(value: string): value is ConfirmingService {
  return (CONFIRMING_SERVICES as readonly string[]).includes(value);
}

/** The services not yet in `confirmed`, in list order. */
export function missingConfirmations(confirmed: Readonly<Record<string, unknown>>): ConfirmingService[] {
  return CONFIRMING_SERVICES.filter((service) => confirmed[service] === undefined);
}
