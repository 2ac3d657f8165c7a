import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { UnitOfWork } from '@offboarding/messaging';
import { Clock, DomainError, ErrorCode } from '@offboarding/platform';
import { compareVersions, parseVersion, requiredText } from '../shared/validation';
import { PluginReleaseEntity } from './plugin-release.entity';

@Injectable()
export class PluginReleasesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async publish(productInput: string, versionInput: string): Promise<PluginReleaseEntity> {
    const product = requiredText('product', productInput, 200);
    const version = parseVersion('version', versionInput);
    return this.unitOfWork.run(async ({ manager }) => {
      if (await manager.existsBy(PluginReleaseEntity, { product, version })) {
        throw new DomainError(ErrorCode.CONFLICT, `${product} ${version} is already published`, { product, version });
      }
      const now = this.clock.now();
      const release = manager.create(PluginReleaseEntity, { id: randomUUID(), product, version, releasedAt: now, createdAt: now });
      await manager.insert(PluginReleaseEntity, release);
      return release;
    });
  }

  /** The highest published version of a product, or null before its first release. */
  async latest(product: string, manager: EntityManager = this.dataSource.manager): Promise<PluginReleaseEntity | null> {
    const releases = await manager.find(PluginReleaseEntity, { where: { product } });
    return releases.reduce<PluginReleaseEntity | null>(
      (best, release) => (best === null || compareVersions(release.version, best.version) > 0 ? release : best),
      null,
    );
  }
}
