import type { Logger } from 'pino';
import { type Clock, SystemClock } from '@offboarding/platform';

interface RevokedSession {
  sessionId: string;
  reason: string;
  accessExpiresAt: string;
}

/**
 * The sessions identity revoked, so their still-unexpired access tokens are refused here within
 * one poll interval. Polls identity's `GET /internal/revoked-sessions?since=` (database time,
 * with an overlap so a slow transaction that committed late is still seen) and forgets a session
 * once its last access token has expired anyway.
 */
export class RevocationList {
  private readonly revoked = new Map<string, { reason: string; expiresAt: number }>();
  private since: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private loaded = false;
  private polling: Promise<void> | null = null;
  /** Re-read this much before the last answer's instant: covers transactions that committed late. */
  static readonly OVERLAP_MS = 60_000;

  constructor(
    private readonly feedUrl: string,
    private readonly headers: () => Record<string, string>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly clock: Clock = new SystemClock(),
  ) {}

  /** Loads the list once (so no revoked token passes after a restart) and starts polling. */
  async start(): Promise<void> {
    await this.poll().catch((error: unknown) => this.logger.warn({ err: error }, 'revocation list not loaded yet; retrying'));
    this.timer = setInterval(() => {
      this.polling ??= this.poll()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'revocation list poll failed; retrying'))
        .finally(() => (this.polling = null));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.polling;
  }

  /** Until the first load succeeded the gateway cannot tell revoked tokens apart: it refuses them all. */
  get ready(): boolean {
    return this.loaded;
  }

  /** The revocation reason of a session, or null when it is not revoked. */
  reasonFor(sessionId: string): string | null {
    return this.revoked.get(sessionId)?.reason ?? null;
  }

  async poll(): Promise<void> {
    const url = new URL(this.feedUrl);
    if (this.since) url.searchParams.set('since', this.since);
    const response = await fetch(url, { headers: this.headers(), signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`revocation feed answered ${response.status}`);
    const body = (await response.json()) as { asOf: string; sessions: RevokedSession[] };
    for (const session of body.sessions) {
      this.revoked.set(session.sessionId, { reason: session.reason, expiresAt: Date.parse(session.accessExpiresAt) });
    }
    this.since = new Date(Date.parse(body.asOf) - RevocationList.OVERLAP_MS).toISOString();
    const now = this.clock.now().getTime();
    for (const [sessionId, entry] of this.revoked) if (entry.expiresAt <= now) this.revoked.delete(sessionId);
    this.loaded = true;
  }
}
