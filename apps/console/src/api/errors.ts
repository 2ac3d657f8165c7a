// Every error the API can answer, said in words a person understands. The API's own message is
// kept where it names the problem (which field, which state); codes alone are never shown.

export interface ApiErrorDetail {
  message: string;
  code: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(describe(code, detail));
    this.name = 'ApiError';
  }
}

const MEANINGS: Record<string, (detail: string) => string> = {
  UNAUTHENTICATED: () => 'Your session has ended. Please sign in again.',
  FORBIDDEN: (detail) => `You are not allowed to do this${detail ? `: ${detail}` : '.'}`,
  NOT_FOUND: (detail) => `It no longer exists or was never there${detail ? ` (${detail})` : ''}.`,
  BAD_USER_INPUT: (detail) => `Please check what you entered: ${detail}`,
  INVALID_TRANSITION: (detail) => `This is not possible in the current state: ${detail}`,
  ORGANIZATION_ARCHIVED: (detail) => `The organization is archived, so nothing new can be added: ${detail}`,
  REACTIVATION_WINDOW_CLOSED: (detail) => `It can no longer be reactivated: ${detail}`,
  FOUR_EYES_REQUIRED: (detail) => `A second admin must approve this: ${detail}`,
  EXPORT_WINDOW_CLOSED: (detail) => `The export window has closed: ${detail}`,
  SSO_CONNECTION_DELETED: () => 'This SSO connection was deleted; sign in with a password instead.',
  CONFLICT: (detail) => `Someone else changed this at the same time; reload and try again (${detail}).`,
  RATE_LIMITED: () => 'Too many requests in a short time. Wait a moment and try again.',
  SERVICE_UNAVAILABLE: () => 'A part of the platform is not available right now. Try again in a moment.',
  QUERY_TOO_COMPLEX: () => 'This page asked for too much at once. Please report it; reloading will not help.',
  QUERY_TOO_DEEP: () => 'This page asked for too much at once. Please report it; reloading will not help.',
  TOO_MANY_ALIASES: () => 'This page asked for too much at once. Please report it; reloading will not help.',
  PAYLOAD_TOO_LARGE: () => 'What you sent is too large (over 1 MB).',
  NETWORK: () => 'The server cannot be reached. Check your connection and try again.',
  INTERNAL_SERVER_ERROR: () => 'Something went wrong on our side. Try again; if it persists, report it.',
};

/** A sentence for the person at the screen. */
export function describe(code: string, detail: string): string {
  const meaning = MEANINGS[code];
  if (meaning) return meaning(detail.replace(/\.$/, ''));
  return `The request failed: ${detail || code}`;
}

/** The message for anything thrown while talking to the API. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return describe('NETWORK', '');
  return error instanceof Error ? error.message : String(error);
}
