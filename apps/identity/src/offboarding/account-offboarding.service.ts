import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, In, IsNull } from 'typeorm';
import { OrganizationType } from '@offboarding/contracts';
import { type Transaction, UnitOfWork } from '@offboarding/messaging';
import { Clock, NotFoundError } from '@offboarding/platform';
import { AuditLog } from '../audit/audit-log';
import { PortalAccessEntity } from '../portal-access/portal-access.entity';
import { RevocationReason } from '../sessions/session.entity';
import { SessionsService } from '../sessions/sessions.service';
import { SsoConnectionEntity } from '../sso/sso-connection.entity';
import { CredentialEntity, KnownOrganizationEntity, UserEntity, UserStatus } from '../users/user.entity';

/** Actor of the deactivations masking makes (accounts the SSO shutdown did not reach). */
const MASKING_DEACTIVATION_ACTOR = 'system:pii-masking';

/** Counts of what an offboarding action changed. */
export interface IdentityActionResult {
  organizationId: string;
  /** The organization and, for actions that cascade from a vendor, its partner organizations. */
  affectedOrganizationIds: string[];
  deactivatedUsers: number;
  reactivatedUsers: number;
  deletedConnections: number;
  deletedCredentials: number;
  revokedSessions: number;
  portalAccessEnabled: boolean | null;
}

function result(organizationId: string, affected: string[], counts: Partial<IdentityActionResult>): IdentityActionResult {
  return {
    organizationId,
    affectedOrganizationIds: affected,
    deactivatedUsers: 0,
    reactivatedUsers: 0,
    deletedConnections: 0,
    deletedCredentials: 0,
    revokedSessions: 0,
    portalAccessEnabled: null,
    ...counts,
  };
}

/**
 * SPEC §3.5 offboarding actions. Each runs in one transaction with its events and audit entry,
 * whether an admin asked (the mutations) or another service did (the event handlers, which pass
 * their inbox transaction). Account actions cascade from a vendor to its partners' users.
 */
@Injectable()
export class AccountOffboardingService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly sessions: SessionsService,
    private readonly auditLog: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** Runs `work` in a new transaction, or in the caller's (event handlers). */
  inTransaction<T>(tx: Transaction | null, work: (tx: Transaction) => Promise<T>): Promise<T> {
    return tx ? work(tx) : this.unitOfWork.run(work);
  }

  /** The organization and, for a vendor, every partner organization of it. */
  async cascadeScope(manager: EntityManager, organizationId: string): Promise<string[]> {
    const organization = await manager.findOneBy(KnownOrganizationEntity, { organizationId });
    if (!organization) throw new NotFoundError('organization', organizationId);
    if (organization.type !== OrganizationType.VENDOR) return [organizationId];
    const partners = await manager.find(KnownOrganizationEntity, { where: { vendorId: organizationId }, order: { createdAt: 'ASC' } });
    return [organizationId, ...partners.map((partner) => partner.organizationId)];
  }

  async deactivateAccounts(tx: Transaction, organizationId: string, actor: string): Promise<IdentityActionResult> {
    const scope = await this.cascadeScope(tx.manager, organizationId);
    const now = this.clock.now();
    const deactivatedUsers = await this.changeUsers(tx, scope, UserStatus.ACTIVE, UserStatus.DEACTIVATED, now, 'ACCOUNTS_DEACTIVATED');
    const revokedSessions = await this.sessions.revoke(tx, { organizationIds: scope }, RevocationReason.ACCOUNT_DEACTIVATED);
    await tx.publish('com.offboarding.identity.accounts_deactivated.v1', organizationId, {
      organizationId,
      affectedOrganizationIds: scope,
      deactivatedUsers,
      deactivatedAt: now.toISOString(),
    });
    await this.audit(tx, organizationId, actor, 'accounts.deactivate', 'DEACTIVATED');
    return result(organizationId, scope, { deactivatedUsers, revokedSessions });
  }

  /** Deactivated accounts come back unless their data is gone (masked; purged rows no longer exist). */
  async reactivateAccounts(tx: Transaction, organizationId: string, actor: string): Promise<IdentityActionResult> {
    const scope = await this.cascadeScope(tx.manager, organizationId);
    const now = this.clock.now();
    const reactivatedUsers = await this.changeUsers(tx, scope, UserStatus.DEACTIVATED, UserStatus.ACTIVE, now, null);
    await tx.publish('com.offboarding.identity.accounts_reactivated.v1', organizationId, {
      organizationId,
      affectedOrganizationIds: scope,
      reactivatedUsers,
      reactivatedAt: now.toISOString(),
    });
    await this.audit(tx, organizationId, actor, 'accounts.reactivate', 'ACTIVE');
    return result(organizationId, scope, { reactivatedUsers });
  }

  /** Deletes the SSO connection strings: every later SSO login through them fails. */
  async deleteSsoConnectionSecrets(tx: Transaction, organizationId: string, actor: string): Promise<IdentityActionResult> {
    const scope = await this.cascadeScope(tx.manager, organizationId);
    const now = this.clock.now();
    const connections = await tx.manager.find(SsoConnectionEntity, {
      where: { organizationId: In(scope), secretDeletedAt: IsNull() },
      lock: { mode: 'pessimistic_write' },
    });
    for (const connection of connections) {
      await tx.manager.update(
        SsoConnectionEntity,
        { id: connection.id },
        { secretCiphertext: null, secretKeyId: null, secretDeletedAt: now, updatedAt: now },
      );
      await tx.publish('com.offboarding.identity.sso_connection_deleted.v1', connection.organizationId, {
        organizationId: connection.organizationId,
        connectionId: connection.id,
        deletedAt: now.toISOString(),
      });
    }
    await this.audit(tx, organizationId, actor, 'sso_connections.delete_secrets', 'DELETED');
    return result(organizationId, scope, { deletedConnections: connections.length });
  }

  /** Deletes the users' password credentials: password login fails from now on. */
  async deleteCredentials(tx: Transaction, organizationId: string, actor: string): Promise<IdentityActionResult> {
    const scope = await this.cascadeScope(tx.manager, organizationId);
    const now = this.clock.now();
    const users = await tx.manager.find(UserEntity, { select: { id: true }, where: { organizationId: In(scope) } });
    const deleted = users.length === 0 ? { affected: 0 } : await tx.manager.delete(CredentialEntity, { userId: In(users.map((user) => user.id)) });
    const deletedCredentials = deleted.affected ?? 0;
    await tx.publish('com.offboarding.identity.credentials_deleted.v1', organizationId, {
      organizationId,
      affectedOrganizationIds: scope,
      deletedCredentials,
      deletedAt: now.toISOString(),
    });
    await this.audit(tx, organizationId, actor, 'credentials.delete', 'DELETED');
    return result(organizationId, scope, { deletedCredentials });
  }

  async revokeSessions(tx: Transaction, organizationId: string, actor: string): Promise<IdentityActionResult> {
    const scope = await this.cascadeScope(tx.manager, organizationId);
    const revokedSessions = await this.sessions.revoke(tx, { organizationIds: scope }, RevocationReason.ADMIN);
    await this.audit(tx, organizationId, actor, 'sessions.revoke', 'REVOKED');
    return result(organizationId, scope, { revokedSessions });
  }

  /**
   * The SSO shutdown milestone in one transaction: accounts deactivated (cascading to partners),
   * SSO connection strings and credentials deleted, every session revoked; then confirmed.
   */
  async shutDownSso(tx: Transaction, organizationId: string, requestId: string | null, actor: string): Promise<IdentityActionResult> {
    const deactivated = await this.deactivateAccounts(tx, organizationId, actor);
    const connections = await this.deleteSsoConnectionSecrets(tx, organizationId, actor);
    const credentials = await this.deleteCredentials(tx, organizationId, actor);
    const sessions = await this.revokeSessions(tx, organizationId, actor);
    const summary = result(organizationId, deactivated.affectedOrganizationIds, {
      deactivatedUsers: deactivated.deactivatedUsers,
      deletedConnections: connections.deletedConnections,
      deletedCredentials: credentials.deletedCredentials,
      revokedSessions: deactivated.revokedSessions + sessions.revokedSessions,
    });
    await tx.publish('com.offboarding.identity.sso_shutdown_completed.v1', organizationId, {
      organizationId,
      requestId: requestId ?? randomUUID(),
      deactivatedUsers: summary.deactivatedUsers,
      deletedConnections: summary.deletedConnections,
      revokedSessions: summary.revokedSessions,
      completedAt: this.clock.now().toISOString(),
    });
    return summary;
  }

  /**
   * The organization's users lose portal access (archive, or the portal milestone): their
   * sessions are revoked with a reason the gateway turns into a FORBIDDEN that says why.
   */
  async disablePortalAccess(tx: Transaction, organizationId: string, requestId: string | null, actor: string): Promise<IdentityActionResult> {
    await this.cascadeScope(tx.manager, organizationId);
    const now = this.clock.now();
    await tx.manager.upsert(PortalAccessEntity, { organizationId, enabled: false, changedAt: now }, ['organizationId']);
    const revokedSessions = await this.sessions.revoke(tx, { organizationIds: [organizationId] }, RevocationReason.PORTAL_ACCESS_DISABLED);
    await tx.publish('com.offboarding.identity.portal_access_disabled.v1', organizationId, { organizationId, requestId, disabledAt: now.toISOString() });
    await this.audit(tx, organizationId, actor, 'portal_access.disable', 'DISABLED');
    return result(organizationId, [organizationId], { revokedSessions, portalAccessEnabled: false });
  }

  async enablePortalAccess(tx: Transaction, organizationId: string, actor: string): Promise<IdentityActionResult> {
    await this.cascadeScope(tx.manager, organizationId);
    const now = this.clock.now();
    await tx.manager.upsert(PortalAccessEntity, { organizationId, enabled: true, changedAt: now }, ['organizationId']);
    await tx.publish('com.offboarding.identity.portal_access_enabled.v1', organizationId, { organizationId, enabledAt: now.toISOString() });
    await this.audit(tx, organizationId, actor, 'portal_access.enable', 'ENABLED');
    return result(organizationId, [organizationId], { portalAccessEnabled: true });
  }

  /**
   * Moves the users of the organizations from one status to the other (never a masked user back
   * to ACTIVE) and publishes a user_deactivated / user_reactivated per user; returns how many.
   */
  private async changeUsers(
    tx: Transaction,
    organizationIds: string[],
    from: UserStatus,
    to: UserStatus,
    now: Date,
    reason: 'ACCOUNTS_DEACTIVATED' | 'PII_MASKED' | null,
  ): Promise<number> {
    const users = await tx.manager.find(UserEntity, {
      select: { id: true, organizationId: true },
      where: { organizationId: In(organizationIds), status: from, ...(to === UserStatus.ACTIVE ? { maskedAt: IsNull() } : {}) },
      order: { id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    if (users.length === 0) return 0;
    await tx.manager.update(
      UserEntity,
      { id: In(users.map((user) => user.id)) },
      to === UserStatus.ACTIVE ? { status: to, deactivatedAt: null, updatedAt: now } : { status: to, deactivatedAt: now, updatedAt: now },
    );
    for (const user of users) {
      const organization = user.organizationId!;
      if (to === UserStatus.ACTIVE) {
        await tx.publish('com.offboarding.identity.user_reactivated.v1', organization, { organizationId: organization, userId: user.id, reactivatedAt: now.toISOString() });
      } else {
        await tx.publish('com.offboarding.identity.user_deactivated.v1', organization, {
          organizationId: organization,
          userId: user.id,
          reason: reason ?? 'ACCOUNTS_DEACTIVATED',
          deactivatedAt: now.toISOString(),
        });
      }
    }
    return users.length;
  }

  /**
   * Masking ends every account still active (defence in depth: the timeline ends access first),
   * so no active user ever carries a masked e-mail.
   */
  async deactivateForMasking(tx: Transaction, organizationId: string, now: Date): Promise<number> {
    const deactivated = await this.changeUsers(tx, [organizationId], UserStatus.ACTIVE, UserStatus.DEACTIVATED, now, 'PII_MASKED');
    if (deactivated === 0) return 0;
    await this.sessions.revoke(tx, { organizationIds: [organizationId] }, RevocationReason.ACCOUNT_DEACTIVATED);
    await this.audit(tx, organizationId, MASKING_DEACTIVATION_ACTOR, 'accounts.deactivate_for_masking', 'DEACTIVATED');
    return deactivated;
  }

  private async audit(tx: Transaction, organizationId: string, actor: string, action: string, afterStatus: string): Promise<void> {
    await this.auditLog.record(tx, { organizationId, actor, action, subjectType: 'organization', subjectId: organizationId, afterStatus });
  }
}
