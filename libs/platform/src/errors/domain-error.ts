/** Whose fault an error is: the caller's (logged at warn) or the platform's (logged at error). */
export type ErrorFault = 'client' | 'server';

/**
 * Every code a client can find in `extensions.code`, with when it happens and what a client
 * should do. The public schema's `ErrorCode` enum is generated from this list (descriptions
 * included), so the API documents exactly what the platform emits.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: {
    fault: 'client',
    description:
      'No valid access token: none was sent, it expired, its session was revoked, or the sign-in was refused. Sign in again (or refresh the session) and retry with the new token.',
  },
  FORBIDDEN: {
    fault: 'client',
    description:
      "The caller is signed in but its role or organization may not do or read this (a collaborator outside its own organization, a non-admin asking for admin data, an archived organization's user). Do not retry; hide the action from this role.",
  },
  NOT_FOUND: {
    fault: 'client',
    description: '`extensions.entity` with `extensions.id` does not exist (or was purged). Refresh the view; do not retry with the same id.',
  },
  BAD_USER_INPUT: {
    fault: 'client',
    description:
      'An argument or input field is invalid: `extensions.field` names it (an id that is not a UUID, an empty name, a page size out of range, a malformed Idempotency-Key), or a variable does not match its type. Correct the input; nothing was changed.',
  },
  INVALID_TRANSITION: {
    fault: 'client',
    description:
      'The object is not in a state that allows this action (`extensions.entity`, `currentStatus`, `action`), e.g. cancelling an entitlement that is already cancelled. Reload the object and offer only the actions its status allows.',
  },
  ORGANIZATION_ARCHIVED: {
    fault: 'client',
    description: 'The organization is archived and takes no changes. Unarchive it first (admins), or show it read-only.',
  },
  REACTIVATION_WINDOW_CLOSED: {
    fault: 'client',
    description: "The entitlement's reactivation window (`reactivatableUntil`) has passed. Grant a new entitlement instead.",
  },
  CONFLICT: {
    fault: 'client',
    description:
      'The change collides with existing data: a duplicate reference or number, an offboarding already running, a purge already approved, no free seat or not enough credits. Read the message, reload and decide; retrying unchanged fails again.',
  },
  EXPORT_WINDOW_CLOSED: {
    fault: 'client',
    description: "A collaborator asked for a data export after the organization's export window closed. Only an admin can extend the window (extendExportWindow).",
  },
  FOUR_EYES_REQUIRED: {
    fault: 'client',
    description: 'A purge approval by the admin who last extended retention or released the legal hold. Another admin must approve it.',
  },
  LEGAL_HOLD: {
    fault: 'client',
    description: 'The organization (or, for a partner, its vendor) is on legal hold: nothing is purged until the hold is released.',
  },
  VENDOR_OFFBOARDING: {
    fault: 'client',
    description: 'The vendor is being offboarded: it takes no new partners. Do not retry.',
  },
  SSO_CONNECTION_DELETED: {
    fault: 'client',
    description: "The SSO connection's secret was deleted (offboarding): SSO sign-in is over for good. Sign in with a password if the account still has one.",
  },
  IDEMPOTENCY_KEY_REUSED: {
    fault: 'client',
    description: 'The Idempotency-Key was sent again with another mutation or other input than its first use. Send a new key for a new change; never reuse a key.',
  },
  RATE_LIMITED: {
    fault: 'client',
    description:
      'Too many requests from this caller, or too many sign-in attempts (`extensions.retryAfterSeconds`, also in the HTTP `Retry-After` header). Wait that long, then retry.',
  },
  QUERY_TOO_LARGE: {
    fault: 'client',
    description: 'The document has more tokens than the gateway accepts (`extensions.maxTokens`). Split the operation or remove unused selections.',
  },
  QUERY_TOO_DEEP: {
    fault: 'client',
    description: 'The operation nests fields deeper than the gateway accepts (`extensions.maxDepth`). Flatten it or split it.',
  },
  QUERY_TOO_COMPLEX: {
    fault: 'client',
    description:
      'The operation would return more objects than the gateway accepts (`extensions.cost`, `extensions.maxCost`; also too many directives or repeated fields). Ask for smaller pages (`first`) or split the operation; every answer carries its cost in `extensions.cost`.',
  },
  TOO_MANY_ALIASES: {
    fault: 'client',
    description: 'The operation uses more aliases than the gateway accepts (`extensions.maxAliases`). Split it.',
  },
  GRAPHQL_PARSE_FAILED: {
    fault: 'client',
    description: 'The document is not valid GraphQL syntax. Fix the document; this is a bug in the client.',
  },
  GRAPHQL_VALIDATION_FAILED: {
    fault: 'client',
    description: 'The document asks for a field, argument or type the schema does not have, or is otherwise invalid against schema/api.graphql. Regenerate the client from the current schema.',
  },
  OPERATION_RESOLUTION_FAILURE: {
    fault: 'client',
    description: 'The request names an operation the document does not contain, or the document has several operations and none was named. Send operationName.',
  },
  PERSISTED_QUERY_NOT_FOUND: {
    fault: 'client',
    description: 'An automatic persisted query hash the server does not know yet. Send the full document along with the hash.',
  },
  PERSISTED_QUERY_NOT_SUPPORTED: {
    fault: 'client',
    description: 'Persisted queries are not accepted by this endpoint. Send the full document.',
  },
  BAD_REQUEST: {
    fault: 'client',
    description: 'The HTTP request is malformed: a body that is not JSON, a missing query, a GET without the CSRF-safe headers. Fix the request.',
  },
  PAYLOAD_TOO_LARGE: {
    fault: 'client',
    description: 'The request body is larger than 1 MB (HTTP 413). Send less (e.g. smaller inputs or several requests).',
  },
  SERVICE_UNAVAILABLE: {
    fault: 'server',
    description:
      'A service or dependency the request needs cannot be reached right now (`extensions.service` names it), or the gateway is still starting (HTTP 503 with Retry-After). Retry shortly with backoff; a mutation with the same Idempotency-Key.',
  },
  INTERNAL_SERVER_ERROR: {
    fault: 'server',
    description:
      'An unexpected failure in the platform; the details are in its logs under the request id (`x-request-id`), never in the answer. Retry once (a mutation with the same Idempotency-Key); if it persists, report the request id.',
  },
} as const satisfies Record<string, { fault: ErrorFault; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Codes clients branch on; they appear as `extensions.code` in GraphQL errors. */
export const ErrorCode = Object.freeze(Object.fromEntries(Object.keys(ERROR_CODES).map((code) => [code, code]))) as { readonly [Code in ErrorCode]: Code };

/** Whether a string is one of the platform's error codes. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/** Whose fault an error with this code is; an unknown code counts as the platform's. */
export function faultOf(code: string): ErrorFault {
  return isErrorCode(code) ? ERROR_CODES[code].fault : 'server';
}

/** The schema's `ErrorCode` enum, every value described (printed into the public API schema). */
export function errorCodeEnumSdl(): string {
  const quote = (text: string) => `"""\n${text.replaceAll('"""', '\\"""')}\n"""`;
  const values = Object.entries(ERROR_CODES).map(([code, { description }]) => `  ${quote(description).replaceAll('\n', '\n  ')}\n  ${code}`);
  return `${quote('Every value `extensions.code` of a GraphQL error can take, with when it happens and what a client should do. Errors carry no other codes; the message is for people, the code for programs.')}\nenum ErrorCode {\n${values.join('\n')}\n}\n`;
}

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
