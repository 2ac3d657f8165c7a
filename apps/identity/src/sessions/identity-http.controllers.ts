import { BadRequestException, Controller, Get, Header, Injectable, type OnModuleInit, Query, UseGuards } from '@nestjs/common';
import { InternalTokenGuard, type RevocationFeedPage, RevocationList } from '@offboarding/platform';
import { SigningKeys } from '../keys/signing-keys';
import { SessionsService } from './sessions.service';

/** The public halves of the token signing keys, for the gateway and every subgraph. */
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeys) {}

  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=300')
  jwks() {
    return this.keys.jwks();
  }
}

/**
 * The revocation feed: sessions revoked since a database instant whose access tokens may still be
 * valid. The gateway and every other subgraph poll it every REVOCATION_POLL_INTERVAL_MS; this
 * service reads the same rows directly (OwnRevocationFeed).
 */
@Controller('internal')
@UseGuards(InternalTokenGuard)
export class RevokedSessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get('revoked-sessions')
  revokedSessions(@Query('since') since: string | undefined): Promise<RevocationFeedPage> {
    const from = since ? new Date(since) : new Date(0);
    if (Number.isNaN(from.getTime())) throw new BadRequestException('since must be an ISO-8601 instant');
    return this.sessions.revokedSince(from);
  }
}

/** This service's own list of revoked sessions reads the sessions table, not its own HTTP feed. */
@Injectable()
export class OwnRevocationFeed implements OnModuleInit {
  constructor(
    private readonly revocations: RevocationList,
    private readonly sessions: SessionsService,
  ) {}

  onModuleInit(): void {
    this.revocations.useFeed((since) => this.sessions.revokedSince(since ? new Date(since) : new Date(0)));
  }
}
