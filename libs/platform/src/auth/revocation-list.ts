import type { Logger } from 'pino';
import { Clock, SystemClock } from '../time/clock';

/** One entry of identity's revocation feed. */
export interface RevokedSession {
  sessionId: string;
  reason: string;
  /** After this instant every access token of the session has expired anyway. */
  accessExpiresAt: string;
}

/** One read of the feed: sessions revoked since a database instant, complete up to `asOf`. */
export interface RevocationFeedPage {
  asOf: string;
  sessions: RevokedSession[];
}

/** Reads the sessions revoked since an instant (null: all whose tokens may still be valid). */
export type RevocationFeed = (since: string | null) => Promise<RevocationFeedPage>;

/** Identity's `GET /internal/revoked-sessions?since=`, as the gateway and the other subgraphs read it. */
export function httpRevocationFeed(feedUrl: string, headers: () => Record<string, string>): RevocationFeed {
  return async (since) => {
    const url = new URL(feedUrl);
    if (since) url.searchParams.set('since', since);
    const response = await fetch(url, { headers: headers(), signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`revocation feed answered ${response.status}`);
    return (await response.json()) as RevocationFeedPage;
  };
}

/** How a revoked session's token is refused: archived organizations get FORBIDDEN saying why. */
export function revocationRefusal(reason: string): { status: 401 | 403; code: 'UNAUTHENTICATED' | 'FORBIDDEN'; message: string } {
  if (reason === 'PORTAL_ACCESS_DISABLED') {
    return { status: 403, code: 'FORBIDDEN', message: "your organization is archived: its users' portal access has ended" };
  }
  return { status: 401, code: 'UNAUTHENTICATED', message: `the session was revoked (${reason.toLowerCase().replaceAll('_', ' ')}): sign in again` };
}

/**
 * The sessions identity revoked, so their still-unexpired access tokens are refused within one
 * poll interval wherever a token is checked: the gateway and every subgraph poll the same feed
 * (database time, with an overlap so a slow transaction that committed late is still seen) and
 * forget a session once its last access token has expired anyway.
 */
export class RevocationList {
  private readonly revoked = new Map<string, { reason: string; expiresAt: number }>();
  private since: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private loaded = false;
  private polling: Promise<void> | null = null;
  /** Failed reads in a row: the first is logged, the rest only when they end. */
  private failures = 0;
  /** Re-read this much before the last answer's instant: covers transactions that committed late. */
  static readonly OVERLAP_MS = 60_000;

  constructor(
    private feed: RevocationFeed | null,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly clock: Clock = new SystemClock(),
  ) {}

  /** Sets where the list is read from, when that is known only after construction (identity reads its own database). */
  useFeed(feed: RevocationFeed): void {
    this.feed = feed;
  }

  /** Loads the list once (so no revoked token passes after a restart) and starts polling. */
  async start(): Promise<void> {
    if (this.timer) return;
    await this.read();
    this.timer = setInterval(() => {
      this.polling ??= this.read().finally(() => (this.polling = null));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** One poll, logged once per outage (a warning when it starts, a line when it ends) rather than per poll. */
  private async read(): Promise<void> {
    try {
      await this.poll();
      if (this.failures > 0) this.logger.info({ failedPolls: this.failures }, 'revocation list read again');
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      if (this.failures === 1) {
        this.logger.warn({ err: error }, this.loaded ? 'revocation list poll failed; retrying every interval' : 'revocation list not loaded yet; retrying every interval');
      } else {
        this.logger.debug({ err: error, failedPolls: this.failures }, 'revocation list poll failed');
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }

  /** Until the first load succeeded revoked tokens cannot be told apart: callers refuse them all. */
  get ready(): boolean {
    return this.loaded;
  }

  /** The revocation reason of a session, or null when it is not revoked. */
  reasonFor(sessionId: string): string | null {
    return this.revoked.get(sessionId)?.reason ?? null;
  }

  async poll(): Promise<void> {
    if (!this.feed) throw new Error('the revocation list has no feed');
    const page = await this.feed(this.since);
    for (const session of page.sessions) {
      this.revoked.set(session.sessionId, { reason: session.reason, expiresAt: Date.parse(session.accessExpiresAt) });
    }
    this.since = new Date(Date.parse(page.asOf) - RevocationList.OVERLAP_MS).toISOString();
    const now = this.clock.now().getTime();
    for (const [sessionId, entry] of this.revoked) if (entry.expiresAt <= now) this.revoked.delete(sessionId);
    this.loaded = true;
  }
}
