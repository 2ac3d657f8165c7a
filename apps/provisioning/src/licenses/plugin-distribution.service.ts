import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LicenseStatus } from '@offboarding/contracts';
import { Clock, DomainError } from '@offboarding/platform';
import { compareVersions } from '../shared/validation';
import { LicensesService } from './licenses.service';
import { PluginReleasesService } from './plugin-releases.service';

/** Why a licence's sites get nothing: the same wording for update checks and downloads. */
const REFUSALS = {
  [LicenseStatus.SUSPENDED]: { status: 'LICENSE_SUSPENDED', message: 'no update: licence suspended' },
  [LicenseStatus.CANCELLED]: { status: 'LICENSE_CANCELLED', message: 'no update: licence cancelled' },
} as const;

export type UpdateCheckAnswer =
  | { kind: 'bad-request'; message: string }
  | { kind: 'unknown-license' }
  | { kind: 'refused'; status: 'LICENSE_SUSPENDED' | 'LICENSE_CANCELLED'; message: string; installedVersion: string }
  | { kind: 'update-available'; product: string; installedVersion: string; latestVersion: string }
  | { kind: 'no-update'; product: string; installedVersion: string; latestVersion: string | null };

export type DownloadAnswer =
  | { kind: 'bad-request'; message: string }
  | { kind: 'unknown-license' }
  | { kind: 'refused'; status: 'LICENSE_SUSPENDED' | 'LICENSE_CANCELLED'; message: string }
  | { kind: 'no-release'; product: string }
  | { kind: 'granted'; product: string; version: string };

export interface UpdateCheckQuery {
  licenseKey?: string;
  site?: string;
  version?: string;
}

/**
 * What the plugin side is told, per licence state: the answers behind the public update-check
 * and download endpoints, as plain values (the controller turns them into HTTP).
 */
@Injectable()
export class PluginDistributionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly licenses: LicensesService,
    private readonly releases: PluginReleasesService,
    private readonly clock: Clock,
  ) {}

  async updateCheck(query: UpdateCheckQuery): Promise<UpdateCheckAnswer> {
    const { licenseKey, site, version } = query;
    if (!licenseKey || !site || !version) return { kind: 'bad-request', message: 'licenseKey, site and version are required' };
    return this.dataSource.transaction(async (manager) => {
      const license = await this.licenses.findByKey(manager, licenseKey);
      if (!license) return { kind: 'unknown-license' };
      let installedVersion: string;
      try {
        installedVersion = (await this.licenses.recordCheckIn(manager, license, site, version, this.clock.now())).installedVersion;
      } catch (error) {
        if (error instanceof DomainError) return { kind: 'bad-request', message: error.message };
        throw error;
      }
      if (license.status !== LicenseStatus.ACTIVE) return { kind: 'refused', ...REFUSALS[license.status], installedVersion };
      const latest = await this.releases.latest(license.product, manager);
      if (latest && compareVersions(latest.version, installedVersion) > 0) {
        return { kind: 'update-available', product: license.product, installedVersion, latestVersion: latest.version };
      }
      return { kind: 'no-update', product: license.product, installedVersion, latestVersion: latest?.version ?? null };
    });
  }

  async download(licenseKey: string | undefined): Promise<DownloadAnswer> {
    if (!licenseKey) return { kind: 'bad-request', message: 'licenseKey is required' };
    const license = await this.licenses.findByKey(this.dataSource.manager, licenseKey);
    if (!license) return { kind: 'unknown-license' };
    if (license.status !== LicenseStatus.ACTIVE) {
      const refusal = REFUSALS[license.status];
      return { kind: 'refused', status: refusal.status, message: refusal.message.replace('no update', 'download refused') };
    }
    const latest = await this.releases.latest(license.product);
    if (!latest) return { kind: 'no-release', product: license.product };
    return { kind: 'granted', product: license.product, version: latest.version };
  }
}
