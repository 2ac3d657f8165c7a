import type { TransitionTable } from '../shared/transitions';

/** Shared by services and contracts: both follow their entitlement one to one. */
export const ServiceStatus = { ACTIVE: 'ACTIVE', SUSPENDED: 'SUSPENDED', CANCELLED: 'CANCELLED' } as const;
export type ServiceStatus = (typeof ServiceStatus)[keyof typeof ServiceStatus];
export type ServiceAction = 'suspend' | 'resume' | 'cancel' | 'reactivate';

export const SERVICE_TRANSITIONS: TransitionTable<ServiceStatus, ServiceAction> = {
  suspend: { from: [ServiceStatus.ACTIVE], to: ServiceStatus.SUSPENDED },
  resume: { from: [ServiceStatus.SUSPENDED], to: ServiceStatus.ACTIVE },
  cancel: { from: [ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED], to: ServiceStatus.CANCELLED },
  reactivate: { from: [ServiceStatus.CANCELLED], to: ServiceStatus.ACTIVE },
};

/** OPEN requests of a cancelled service wait IN_REVIEW until an admin completes or cancels each. */
export const ServiceRequestStatus = { OPEN: 'OPEN', IN_REVIEW: 'IN_REVIEW', COMPLETED: 'COMPLETED', CANCELLED: 'CANCELLED' } as const;
export type ServiceRequestStatus = (typeof ServiceRequestStatus)[keyof typeof ServiceRequestStatus];
export type ServiceRequestAction = 'sendToReview' | 'reopen' | 'complete' | 'cancel';

export const SERVICE_REQUEST_TRANSITIONS: TransitionTable<ServiceRequestStatus, ServiceRequestAction> = {
  sendToReview: { from: [ServiceRequestStatus.OPEN], to: ServiceRequestStatus.IN_REVIEW },
  reopen: { from: [ServiceRequestStatus.IN_REVIEW], to: ServiceRequestStatus.OPEN },
  complete: { from: [ServiceRequestStatus.OPEN, ServiceRequestStatus.IN_REVIEW], to: ServiceRequestStatus.COMPLETED },
  cancel: { from: [ServiceRequestStatus.OPEN, ServiceRequestStatus.IN_REVIEW], to: ServiceRequestStatus.CANCELLED },
};

/** A frozen balance keeps its credits but refuses consumption. */
export const CreditBalanceStatus = { ACTIVE: 'ACTIVE', FROZEN: 'FROZEN' } as const;
export type CreditBalanceStatus = (typeof CreditBalanceStatus)[keyof typeof CreditBalanceStatus];
export type CreditBalanceAction = 'freeze' | 'unfreeze';

export const CREDIT_BALANCE_TRANSITIONS: TransitionTable<CreditBalanceStatus, CreditBalanceAction> = {
  freeze: { from: [CreditBalanceStatus.ACTIVE], to: CreditBalanceStatus.FROZEN },
  unfreeze: { from: [CreditBalanceStatus.FROZEN], to: CreditBalanceStatus.ACTIVE },
};
