import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { errors as joseErrors, jwtVerify } from 'jose';
import { DataSource, type EntityManager } from 'typeorm';
import { UnitOfWork } from '@offboarding/messaging';
import { type Caller, DomainError, ErrorCode, LOGGER, Role } from '@offboarding/platform';
import { AuditLog } from '../audit/audit-log';
import { RealTime } from '../keys/identity-providers';
import { PortalAccessEntity } from '../portal-access/portal-access.entity';
import { SsoConnectionEntity } from '../sso/sso-connection.entity';
import { SsoConnectionsService } from '../sso/sso-connections.service';
import { verifyAgainstNothing, verifyPassword } from '../users/password-hasher';
import { CredentialEntity, UserEntity, UserStatus } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { RefreshTokenEntity, RevocationReason, SessionEntity } from './session.entity';
import { hashRefreshToken, type IssuedTokens, SessionsService } from './sessions.service';
import { SignInThrottle } from './sign-in-throttle';

const BAD_CREDENTIALS = 'invalid e-mail or password';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function unauthenticated(message: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, message, details);
}

/** Sign-in with a password or an SSO assertion, session refresh and sign-out. */
@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly ssoConnections: SsoConnectionsService,
    private readonly realTime: RealTime,
    private readonly throttle: SignInThrottle,
    private readonly audit: AuditLog,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Unknown e-mail, wrong password and deleted credentials all answer the same and take the same
   * time, so the answer does not tell which accounts exist. Attempts are throttled per account and
   * per client address (SignInThrottle): a locked one is refused with RATE_LIMITED before its
   * password is checked, the right password included.
   */
  async login(email: string, password: string, clientAddress: string | null = null): Promise<IssuedTokens> {
    const admission = await this.throttle.admit(email, clientAddress);
    let user: UserEntity | null;
    let valid: boolean;
    try {
      user = await this.users.findByEmail(this.dataSource.manager, email);
      const credential = user ? await this.dataSource.getRepository(CredentialEntity).findOneBy({ userId: user.id }) : null;
      valid = credential ? await verifyPassword(password, credential.passwordHash) : await verifyAgainstNothing(password);
    } catch (error) {
      await this.throttle.abandon(admission).catch((release: unknown) => this.logger.warn({ err: release }, 'sign-in place not released'));
      throw error;
    }
    if (!user || !valid) {
      const locks = await this.throttle.failed(admission);
      // Recorded after answering: waiting for it would tell accounts that exist by their timing.
      if (user?.organizationId) void this.auditFailedSignIn(user.id, user.organizationId, locks.length > 0);
      throw unauthenticated(BAD_CREDENTIALS);
    }
    await this.throttle.succeeded(admission);
    return this.unitOfWork.run(async ({ manager }) => {
      await this.assertMaySignIn(manager, user);
      return this.sessions.open(manager, user, 'PASSWORD');
    });
  }

  /**
   * The organization's IdP vouches for the user with an assertion signed with the connection's
   * secret (HS256 JWT): issuer, audience (the client id), expiry and subject are checked, and the
   * e-mail it names must be a user of the connection's organization.
   */
  async loginWithSso(connectionId: string, assertion: string): Promise<IssuedTokens> {
    const connection = UUID.test(connectionId) ? await this.dataSource.getRepository(SsoConnectionEntity).findOneBy({ id: connectionId }) : null;
    if (!connection) throw new DomainError(ErrorCode.NOT_FOUND, `SSO connection ${connectionId} does not exist`, { entity: 'ssoConnection', id: connectionId });
    const secret = this.ssoConnections.openSecret(connection);
    if (secret === null) {
      throw new DomainError(
        ErrorCode.SSO_CONNECTION_DELETED,
        `SSO connection ${connection.id} was shut down when its organization was offboarded: SSO login is no longer possible`,
        { connectionId: connection.id },
      );
    }
    let claims: { sub?: string; email?: unknown };
    try {
      ({ payload: claims } = await jwtVerify(assertion, new TextEncoder().encode(secret), {
        issuer: connection.issuer,
        audience: connection.clientId,
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'sub'],
        currentDate: this.realTime.now(),
      }));
    } catch (error) {
      throw unauthenticated(`SSO assertion rejected: ${ssoRejection(error)}`, { connectionId: connection.id });
    }
    const email = typeof claims.email === 'string' ? claims.email : (claims.sub ?? '');
    const user = await this.users.findByEmail(this.dataSource.manager, email);
    if (!user || user.organizationId !== connection.organizationId) {
      throw unauthenticated('the SSO assertion names no user of this organization', { connectionId: connection.id });
    }
    return this.unitOfWork.run(async ({ manager }) => {
      await this.assertMaySignIn(manager, user);
      return this.sessions.open(manager, user, 'SSO');
    });
  }

  /**
   * Exchanges a refresh token for a new access token and the next refresh token. A refresh token
   * works once: presenting a used one means it was stolen or replayed, so the session is revoked.
   */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const outcome = await this.unitOfWork.run(async (tx): Promise<{ error: DomainError } | { tokens: IssuedTokens }> => {
      const { manager } = tx;
      const token = await manager.findOne(RefreshTokenEntity, { where: { tokenHash: hashRefreshToken(refreshToken) }, lock: { mode: 'pessimistic_write' } });
      if (!token) return { error: unauthenticated('refresh token is not valid: sign in again') };
      const session = await manager.findOne(SessionEntity, { where: { id: token.sessionId }, lock: { mode: 'pessimistic_write' } });
      if (!session || session.revokedAt !== null) return { error: unauthenticated('the session was revoked: sign in again') };
      if (token.usedAt !== null) {
        await this.sessions.revoke(tx, { sessionIds: [session.id] }, RevocationReason.REFRESH_TOKEN_REUSED);
        return { error: unauthenticated('refresh token was already used: the session is revoked, sign in again') };
      }
      const now = this.realTime.now();
      if (token.expiresAt.getTime() <= now.getTime()) return { error: unauthenticated('the session expired: sign in again') };
      const user = await manager.findOneByOrFail(UserEntity, { id: session.userId });
      await this.assertMaySignIn(manager, user);
      await manager.update(RefreshTokenEntity, { tokenHash: token.tokenHash }, { usedAt: now });
      return { tokens: await this.sessions.issue(manager, session, user) };
    });
    // The reuse revocation must commit, so the refusal is thrown only after the transaction.
    if ('error' in outcome) throw outcome.error;
    return outcome.tokens;
  }

  /** Ends the caller's session: its access token is refused at the gateway within seconds. */
  async logout(caller: Caller): Promise<boolean> {
    if (!caller.sessionId) return false;
    const revoked = await this.unitOfWork.run((tx) => this.sessions.revoke(tx, { sessionIds: [caller.sessionId!] }, RevocationReason.LOGOUT));
    return revoked > 0;
  }

  /** A failed password sign-in (and the lock it started) in the organization's audit trail; never the e-mail or address. */
  private async auditFailedSignIn(userId: string, organizationId: string, locked: boolean): Promise<void> {
    try {
      await this.unitOfWork.run(async (tx) => {
        const entry = { organizationId, actor: 'anonymous', subjectType: 'user', subjectId: userId };
        await this.audit.record(tx, { ...entry, action: 'user.sign_in_failed', reason: 'WRONG_PASSWORD' });
        if (locked) await this.audit.record(tx, { ...entry, action: 'user.sign_in_locked', reason: 'TOO_MANY_FAILED_SIGN_INS', afterStatus: 'LOCKED' });
      });
    } catch (error) {
      this.logger.error({ err: error, userId }, 'failed sign-in not recorded in the audit trail');
    }
  }

  /**
   * Deactivated accounts and users of an organization whose portal access ended (archived) get no
   * tokens; the refusal says why.
   */
  private async assertMaySignIn(manager: EntityManager, user: UserEntity): Promise<void> {
    if (user.status !== UserStatus.ACTIVE) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'this account is deactivated', { reason: 'ACCOUNT_DEACTIVATED' });
    }
    if (user.role === Role.ADMIN || user.organizationId === null) return;
    const access = await manager.findOneBy(PortalAccessEntity, { organizationId: user.organizationId });
    if (!access?.enabled) {
      throw new DomainError(ErrorCode.FORBIDDEN, `organization ${user.organizationId} is archived: its users' portal access has ended`, {
        reason: 'PORTAL_ACCESS_DISABLED',
        organizationId: user.organizationId,
      });
    }
  }
}

function ssoRejection(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'it has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `its "${error.claim}" claim does not match the connection`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "it is not signed with the connection's secret";
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'it must be signed with HS256';
  return 'it is not a valid signed assertion';
}
