import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, Not } from 'typeorm';
import { UnitOfWork } from '@offboarding/messaging';
import { Clock, InvalidInputError, NotFoundError } from '@offboarding/platform';
import { SecretBox } from '../keys/secret-box';
import { KnownOrganizationEntity } from '../users/user.entity';
import { SsoConnectionEntity } from './sso-connection.entity';

export interface NewSsoConnection {
  organizationId: string;
  protocol: 'OIDC' | 'SAML';
  issuer: string;
  clientId: string;
  /** The connection string / client secret; stored only encrypted. */
  secret: string;
}

/** The associated data that binds a ciphertext to its connection. */
const aadOf = (connection: Pick<SsoConnectionEntity, 'id' | 'organizationId'>) => `sso-connection:${connection.id}:${connection.organizationId}`;

@Injectable()
export class SsoConnectionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
  ) {}

  async create(input: NewSsoConnection): Promise<SsoConnectionEntity> {
    const issuer = input.issuer.trim();
    const clientId = input.clientId.trim();
    if (issuer.length === 0 || issuer.length > 500) throw new InvalidInputError('issuer', 'must be 1 to 500 characters');
    if (clientId.length === 0 || clientId.length > 200) throw new InvalidInputError('clientId', 'must be 1 to 200 characters');
    if (input.secret.length < 32 || input.secret.length > 4096) throw new InvalidInputError('secret', 'must be 32 to 4096 characters');
    return this.unitOfWork.run(async ({ manager }) => {
      if (!(await manager.findOneBy(KnownOrganizationEntity, { organizationId: input.organizationId }))) {
        throw new NotFoundError('organization', input.organizationId);
      }
      const now = this.clock.now();
      const id = randomUUID();
      const sealed = this.secrets.seal(input.secret, aadOf({ id, organizationId: input.organizationId }));
      const row: SsoConnectionEntity = {
        id,
        organizationId: input.organizationId,
        protocol: input.protocol,
        issuer,
        clientId,
        secretKeyId: sealed.keyId,
        secretCiphertext: sealed.ciphertext,
        secretDeletedAt: null,
        createdAt: now,
        updatedAt: now,
      };
      await manager.insert(SsoConnectionEntity, row);
      return row;
    });
  }

  listForOrganization(organizationId: string): Promise<SsoConnectionEntity[]> {
    return this.dataSource.getRepository(SsoConnectionEntity).find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The decrypted secret; null once offboarding deleted it. */
  openSecret(connection: SsoConnectionEntity): string | null {
    if (connection.secretCiphertext === null || connection.secretKeyId === null) return null;
    return this.secrets.open({ keyId: connection.secretKeyId, ciphertext: connection.secretCiphertext }, aadOf(connection));
  }

  /** Re-seals every secret not under the active key (after ENCRYPTION_KEYS got a new first key). */
  async reencryptAll(batchSize = 100): Promise<number> {
    let done = 0;
    for (;;) {
      const changed = await this.unitOfWork.run(async ({ manager }) => {
        const rows = await manager.find(SsoConnectionEntity, {
          where: { secretKeyId: Not(this.secrets.activeKeyId), secretCiphertext: Not(IsNull()) },
          take: batchSize,
          lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
        });
        for (const row of rows) {
          const sealed = this.secrets.seal(this.openSecret(row)!, aadOf(row));
          await manager.update(SsoConnectionEntity, { id: row.id }, { secretKeyId: sealed.keyId, secretCiphertext: sealed.ciphertext, updatedAt: this.clock.now() });
        }
        return rows.length;
      });
      done += changed;
      if (changed < batchSize) return done;
    }
  }
}
