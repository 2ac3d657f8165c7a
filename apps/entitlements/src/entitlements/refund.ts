import { DAY_MS } from '@offboarding/platform';
import type { RefundQuote } from './entitlement.entity';

export interface PrepaidTerm {
  amountMinor: number;
  currency: string;
  from: Date;
  until: Date;
}

/**
 * The prorated refund for the unused part of a prepaid term: whole unused days over whole
 * prepaid days, rounded down to the minor unit so we never quote more than was paid.
 * Null when nothing of the term is left.
 */
export function prorateRefund(term: PrepaidTerm, cancelledAt: Date): Omit<RefundQuote, 'quotedAt'> | null {
  const prepaidDays = Math.ceil((term.until.getTime() - term.from.getTime()) / DAY_MS);
  const unusedDays = Math.floor((term.until.getTime() - Math.max(cancelledAt.getTime(), term.from.getTime())) / DAY_MS);
  if (prepaidDays < 1 || unusedDays < 1) return null;
  const amountMinor = Math.floor((term.amountMinor * Math.min(unusedDays, prepaidDays)) / prepaidDays);
  return { amountMinor, currency: term.currency, unusedDays: Math.min(unusedDays, prepaidDays), prepaidDays };
}
