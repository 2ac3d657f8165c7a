import type { SaslAuthenticator, SaslExchange, SaslMechanism, SaslStep } from './sasl';

/**
 * What the broker knows about one client connection's authentication. On a listener without SASL
 * every connection is authenticated from the start; with SASL only ApiVersions, SaslHandshake and
 * SaslAuthenticate are served until an exchange succeeds, as on a Kafka SASL listener.
 */
export class ConnectionSession {
  private exchange: SaslExchange | null = null;
  private rawTokens = false;
  private mechanismInUse: SaslMechanism | null = null;
  private user: string | null = null;

  /**
   * @param sasl the broker's users and mechanisms; null on a listener without SASL
   * @param endAfterReply closes the connection once the response being written has gone out
   * @param certificateSubject the client certificate's subject on a mutual-TLS listener
   */
  constructor(
    readonly sasl: SaslAuthenticator | null,
    readonly endAfterReply: () => void = () => undefined,
    readonly certificateSubject: string | null = null,
  ) {}

  /** An open session for callers without a socket (tests, a listener without SASL). */
  static open(): ConnectionSession {
    return new ConnectionSession(null);
  }

  get authenticated(): boolean {
    return this.sasl === null || this.user !== null;
  }

  /** The authenticated SASL user, for logs. */
  get principal(): string | null {
    return this.user;
  }

  get mechanism(): SaslMechanism | null {
    return this.mechanismInUse;
  }

  /**
   * SaslHandshake: the mechanism of the exchange that follows, in SaslAuthenticate requests
   * (handshake v1) or, after a v0 handshake, as raw size-prefixed tokens outside the Kafka
   * request format (what clients older than KIP-152 send).
   */
  begin(mechanism: SaslMechanism, rawTokens: boolean): void {
    this.mechanismInUse = mechanism;
    this.rawTokens = rawTokens;
    this.exchange = this.sasl!.begin(mechanism);
  }

  /** True while the next frame is a raw SASL token rather than a Kafka request. */
  get expectsRawToken(): boolean {
    return this.rawTokens && this.exchange !== null;
  }

  /** The exchange SaslAuthenticate continues, or null when no handshake preceded it. */
  get pending(): SaslExchange | null {
    return this.exchange;
  }

  /** One step of the exchange; throws SaslAuthenticationError (and ends it) when the client is refused. */
  step(token: Buffer): SaslStep {
    const exchange = this.exchange;
    if (exchange === null) throw new Error('no SASL exchange in progress');
    try {
      const step = exchange.step(token);
      if (step.principal !== undefined) {
        this.user = step.principal;
        this.exchange = null;
      }
      return step;
    } catch (error) {
      this.exchange = null;
      this.endAfterReply();
      throw error;
    }
  }
}
