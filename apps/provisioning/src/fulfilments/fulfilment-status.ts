import type { TransitionTable } from '../shared/transitions';

export const FulfilmentStatus = { OPEN: 'OPEN', ON_HOLD: 'ON_HOLD', CLOSED: 'CLOSED', FULFILLED: 'FULFILLED' } as const;
export type FulfilmentStatus = (typeof FulfilmentStatus)[keyof typeof FulfilmentStatus];
export type FulfilmentAction = 'hold' | 'release' | 'close' | 'reopen' | 'fulfil';

/** An order's delivery: closed unfulfilled on cancellation, reopened on reactivation; FULFILLED is final. */
export const FULFILMENT_TRANSITIONS: TransitionTable<FulfilmentStatus, FulfilmentAction> = {
  hold: { from: [FulfilmentStatus.OPEN], to: FulfilmentStatus.ON_HOLD },
  release: { from: [FulfilmentStatus.ON_HOLD], to: FulfilmentStatus.OPEN },
  close: { from: [FulfilmentStatus.OPEN, FulfilmentStatus.ON_HOLD], to: FulfilmentStatus.CLOSED },
  reopen: { from: [FulfilmentStatus.CLOSED], to: FulfilmentStatus.OPEN },
  fulfil: { from: [FulfilmentStatus.OPEN], to: FulfilmentStatus.FULFILLED },
};
