/** Codes clients branch on; they appear as `extensions.code` in GraphQL errors. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  ORGANIZATION_ARCHIVED: 'ORGANIZATION_ARCHIVED',
  REACTIVATION_WINDOW_CLOSED: 'REACTIVATION_WINDOW_CLOSED',
  CONFLICT: 'CONFLICT',
  /** A collaborator asked for a data export after the organization's export window closed. */
  EXPORT_WINDOW_CLOSED: 'EXPORT_WINDOW_CLOSED',
  /** A purge approval by the admin who last extended retention or released the legal hold. */
  FOUR_EYES_REQUIRED: 'FOUR_EYES_REQUIRED',
  /** The SSO connection's secret was deleted (offboarding): SSO login is over for good. */
  SSO_CONNECTION_DELETED: 'SSO_CONNECTION_DELETED',
  /** A dependency the answer needs is not available right now; retry shortly. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** Gateway limits: per-caller request rate, document size (tokens), operation depth, cost and aliases. */
  RATE_LIMITED: 'RATE_LIMITED',
  QUERY_TOO_LARGE: 'QUERY_TOO_LARGE',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * A refusal the domain explains to the caller. Services throw these, never transport errors;
 * the GraphQL adapter maps them in one place.
 */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, id: string) {
    super(ErrorCode.NOT_FOUND, `${entity} ${id} does not exist`, { entity, id });
  }
}

export class InvalidInputError extends DomainError {
  constructor(field: string, problem: string) {
    super(ErrorCode.BAD_USER_INPUT, `${field}: ${problem}`, { field });
  }
}

export class InvalidTransitionError extends DomainError {
  constructor(entity: string, from: string, action: string) {
    super(ErrorCode.INVALID_TRANSITION, `cannot ${action} a ${entity} that is ${from}`, {
      entity,
      currentStatus: from,
      action,
    });
  }
}
