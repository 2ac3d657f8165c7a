import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Transaction } from '@offboarding/messaging';
import { Clock, type RevocationFeedPage } from '@offboarding/platform';
import { IDENTITY_CONFIG, RealTime } from '../keys/identity-providers';
import type { IdentityConfig } from '../keys/identity-config';
import { SigningKeys } from '../keys/signing-keys';
import type { UserEntity } from '../users/user.entity';
import { RefreshTokenEntity, type RevocationReason, SessionEntity } from './session.entity';

/** What a successful sign-in or refresh returns. */
export interface IssuedTokens {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  sessionId: string;
  userId: string;
}

/** sessions_revoked events carry at most this many session ids. */
export const SESSIONS_PER_EVENT = 1000;

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Sessions, their access tokens and rotating refresh tokens, and revocation. Token lifetimes run
 * on real time (RealTime), not the shiftable development clock, so moving the stack forward in
 * time never lets a token outlive what the signature promised.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: SigningKeys,
    private readonly clock: Clock,
    private readonly realTime: RealTime,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  /** Opens a session for a user who just proved who they are, and issues its first tokens. */
  async open(manager: EntityManager, user: UserEntity, method: SessionEntity['method']): Promise<IssuedTokens> {
    const now = this.realTime.now();
    const session: SessionEntity = {
      id: randomUUID(),
      userId: user.id,
      organizationId: user.organizationId,
      method,
      createdAt: this.clock.now(),
      expiresAt: new Date(now.getTime() + this.config.refreshTokenTtlSeconds * 1000),
      accessExpiresAt: now,
      revokedAt: null,
      revocationReason: null,
      revocationLoggedAt: null,
    };
    await manager.insert(SessionEntity, session);
    return this.issue(manager, session, user);
  }

  /** A new access token and the next refresh token of the chain. */
  async issue(manager: EntityManager, session: SessionEntity, user: UserEntity): Promise<IssuedTokens> {
    const now = this.realTime.now();
    const access = await this.keys.sign(
      { sub: user.id, org: user.organizationId, roles: [user.role], sid: session.id },
      now,
      this.config.accessTokenTtlSeconds,
    );
    const refreshToken = randomBytes(32).toString('base64url');
    await manager.insert(RefreshTokenEntity, {
      tokenHash: hashRefreshToken(refreshToken),
      sessionId: session.id,
      createdAt: now,
      expiresAt: session.expiresAt,
      usedAt: null,
    });
    await manager.update(SessionEntity, { id: session.id }, { accessExpiresAt: access.expiresAt });
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken,
      refreshTokenExpiresAt: session.expiresAt,
      sessionId: session.id,
      userId: user.id,
    };
  }

  /**
   * Revokes the sessions the filter selects that are still open, and publishes sessions_revoked
   * per organization (staff sessions have none; the gateway learns of them from the feed).
   * Returns the number revoked.
   */
  async revoke(
    tx: Transaction,
    filter: { sessionIds?: string[]; userIds?: string[]; organizationIds?: string[] },
    reason: RevocationReason,
  ): Promise<number> {
    const conditions: string[] = [];
    const parameters: unknown[] = [this.clock.now(), reason];
    if (filter.sessionIds) {
      parameters.push(filter.sessionIds);
      conditions.push(`id = ANY($${parameters.length}::uuid[])`);
    }
    if (filter.userIds) {
      parameters.push(filter.userIds);
      conditions.push(`user_id = ANY($${parameters.length}::uuid[])`);
    }
    if (filter.organizationIds) {
      parameters.push(filter.organizationIds);
      conditions.push(`organization_id = ANY($${parameters.length}::uuid[])`);
    }
    if (conditions.length === 0) throw new Error('refusing to revoke every session of every organization');
    // TypeORM answers an UPDATE ... RETURNING with [rows, affected count].
    const [rows] = await tx.manager.query<[{ id: string; organization_id: string | null }[], number]>(
      `UPDATE ${this.table('sessions')}
          SET revoked_at = $1, revocation_reason = $2, revocation_logged_at = now()
        WHERE revoked_at IS NULL AND (${conditions.join(' OR ')})
        RETURNING id, organization_id`,
      parameters,
    );
    const byOrganization = new Map<string, string[]>();
    for (const row of rows) {
      if (row.organization_id === null) continue;
      byOrganization.set(row.organization_id, [...(byOrganization.get(row.organization_id) ?? []), row.id]);
    }
    const revokedAt = this.clock.now().toISOString();
    for (const [organizationId, sessionIds] of byOrganization) {
      for (let start = 0; start < sessionIds.length; start += SESSIONS_PER_EVENT) {
        await tx.publish('com.offboarding.identity.sessions_revoked.v1', organizationId, {
          organizationId,
          sessionIds: sessionIds.slice(start, start + SESSIONS_PER_EVENT),
          reason,
          revokedAt,
        });
      }
    }
    return rows.length;
  }

  /**
   * Sessions revoked since `since` (database time) whose access tokens may still be valid,
   * with the database time the answer is complete up to: the revocation feed.
   */
  async revokedSince(since: Date, limit = 10_000): Promise<RevocationFeedPage> {
    return this.dataSource.transaction(async (manager) => {
      const [{ as_of }] = await manager.query<{ as_of: Date }[]>('SELECT now() AS as_of');
      const rows = await manager.query<{ id: string; revocation_reason: string; access_expires_at: Date }[]>(
        `SELECT id, revocation_reason, access_expires_at FROM ${this.table('sessions')}
          WHERE revocation_logged_at >= $1 AND access_expires_at > now()
          ORDER BY revocation_logged_at LIMIT $2`,
        [since, limit],
      );
      return {
        asOf: new Date(as_of).toISOString(),
        sessions: rows.map((row) => ({
          sessionId: row.id,
          reason: row.revocation_reason,
          accessExpiresAt: new Date(row.access_expires_at).toISOString(),
        })),
      };
    });
  }

  private table(name: string): string {
    const schema = (this.dataSource.options as { schema?: string }).schema ?? 'public';
    return `"${schema}".${name}`;
  }
}
