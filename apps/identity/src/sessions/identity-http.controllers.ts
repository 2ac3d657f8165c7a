import { BadRequestException, Controller, Get, Header, Query, UseGuards } from '@nestjs/common';
import { InternalTokenGuard } from '@offboarding/platform';
import { SigningKeys } from '../keys/signing-keys';
import { type RevokedSession, SessionsService } from './sessions.service';

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
 * The gateway's revocation feed: sessions revoked since a database instant whose access tokens
 * may still be valid. The gateway polls it every few seconds (REVOCATION_POLL_INTERVAL_MS).
 */
@Controller('internal')
@UseGuards(InternalTokenGuard)
export class RevokedSessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get('revoked-sessions')
  revokedSessions(@Query('since') since: string | undefined): Promise<{ asOf: string; sessions: RevokedSession[] }> {
    const from = since ? new Date(since) : new Date(0);
    if (Number.isNaN(from.getTime())) throw new BadRequestException('since must be an ISO-8601 instant');
    return this.sessions.revokedSince(from);
  }
}
