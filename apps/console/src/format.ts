import type { CancellationReason, EntitlementClass } from './api/generated';

// How values read on screen: dates in UTC (the platform's time), enum values in words.

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  return value.length === 10 ? value : value.slice(0, 10);
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  return `${value.slice(0, 10)} ${value.slice(11, 16)} UTC`;
}

/** `SWITCHING_PROVIDER` → `Switching provider`. */
export function words(value: string | null | undefined): string {
  if (!value) return '—';
  const text = value.toLowerCase().replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatMoney(amountMinor: number, currency: string): string {
  return `${(amountMinor / 100).toFixed(2)} ${currency}`;
}

/** The date `days` after an ISO date (YYYY-MM-DD), as YYYY-MM-DD. */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate.slice(0, 10)}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export const CANCELLATION_REASONS: readonly CancellationReason[] = ['CUSTOMER_REQUEST', 'BUSINESS_CLOSURE', 'SWITCHING_PROVIDER', 'NON_PAYMENT', 'CONTRACT_END', 'OTHER'];
export const ENTITLEMENT_CLASSES: readonly EntitlementClass[] = ['PLG', 'ENV', 'SVC', 'ORD', 'AFL', 'EDU'];
export const CLASS_NAMES: Record<EntitlementClass, string> = {
  PLG: 'Plugin licences',
  ENV: 'Hosted environments',
  SVC: 'Services and contracts',
  ORD: 'Orders and fulfilments',
  AFL: 'Affiliate programme',
  EDU: 'Education seats',
};
