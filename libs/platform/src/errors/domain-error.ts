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
  /** The organization (or, for a partner, its vendor) is on legal hold: nothing is purged until it is released. */
  LEGAL_HOLD: 'LEGAL_HOLD',
  /** The vendor is being offboarded: it takes no new partners. */
  VENDOR_OFFBOARDING: 'VENDOR_OFFBOARDING',
  /** The SSO connection's secret was deleted (offboarding): SSO login is over for good. */
  SSO_CONNECTION_DELETED: 'SSO_CONNECTION_DELETED',
  /** An Idempotency-Key sent again with another mutation or other input than its first use. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** A service or dependency the request needs cannot be reached right now: retry shortly (a mutation with the same Idempotency-Key). */
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

/** "a contract", "an entitlement", "an SSO connection": the indefinite article English puts before a noun. */
export function withArticle(noun: string): string {
  const vowelSound = /^[aeiou]/i.test(noun) && !/^(uni|use|usu|uti|eu|one)/i.test(noun);
  // Upper-case codes are read letter by letter: "an SSO", "an ENV", "a PLG", "an ADMIN".
  const spelled = /^[A-Z]{2,}\b/.test(noun) && /^[AEFHILMNORSX]/.test(noun);
  return `${vowelSound || spelled ? 'an' : 'a'} ${noun}`;
}

/** `startOffboarding` → "start offboarding": transition names read as words in messages. */
export function actionWords(action: string): string {
  return action.replace(/([a-z])([A-Z])/g, (_, lower: string, upper: string) => `${lower} ${upper.toLowerCase()}`);
}

export class InvalidTransitionError extends DomainError {
  constructor(entity: string, from: string, action: string) {
    super(ErrorCode.INVALID_TRANSITION, `cannot ${actionWords(action)} ${withArticle(entity)} that is ${from}`, {
      entity,
      currentStatus: from,
      action,
    });
  }
}
