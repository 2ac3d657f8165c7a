import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PROVISIONING_CONFIG, type ProvisioningConfig } from '../config/provisioning-config';
import { PluginDistributionService } from './plugin-distribution.service';

/**
 * The public endpoints installed plugins call, authorized by the licence key alone. Answers are
 * JSON with a machine-readable `status` and a human-readable `message`.
 */
@Controller('plugin/v1')
export class PluginDistributionController {
  constructor(
    private readonly distribution: PluginDistributionService,
    @Inject(PROVISIONING_CONFIG) private readonly config: ProvisioningConfig,
  ) {}

  @Get('update-check')
  async updateCheck(
    @Query('licenseKey') licenseKey: string | undefined,
    @Query('site') site: string | undefined,
    @Query('version') version: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const answer = await this.distribution.updateCheck({ licenseKey, site, version });
    switch (answer.kind) {
      case 'bad-request':
        response.status(400).json({ status: 'BAD_REQUEST', updateAvailable: false, message: answer.message });
        return;
      case 'unknown-license':
        response.status(404).json({ status: 'UNKNOWN_LICENSE', updateAvailable: false, message: 'no licence with this key' });
        return;
      case 'refused':
        response.status(403).json({ status: answer.status, updateAvailable: false, message: answer.message, installedVersion: answer.installedVersion });
        return;
      case 'update-available':
        response.status(200).json({
          status: 'UPDATE_AVAILABLE',
          updateAvailable: true,
          message: `${answer.product} ${answer.latestVersion} is available`,
          installedVersion: answer.installedVersion,
          latestVersion: answer.latestVersion,
          downloadPath: `/plugin/v1/download?licenseKey=${encodeURIComponent(licenseKey ?? '')}`,
          // The same, absolute on the public origin (the gateway routes /plugin/v1/* here).
          downloadUrl: `${this.config.publicBaseUrl}/plugin/v1/download?licenseKey=${encodeURIComponent(licenseKey ?? '')}`,
        });
        return;
      case 'no-update':
        response.status(200).json({
          status: 'NO_UPDATE',
          updateAvailable: false,
          message: 'no update: the installed version is the latest',
          installedVersion: answer.installedVersion,
          latestVersion: answer.latestVersion,
        });
        return;
    }
  }

  @Get('download')
  async download(@Query('licenseKey') licenseKey: string | undefined, @Res() response: Response): Promise<void> {
    const answer = await this.distribution.download(licenseKey);
    switch (answer.kind) {
      case 'bad-request':
        response.status(400).json({ status: 'BAD_REQUEST', message: answer.message });
        return;
      case 'unknown-license':
        response.status(404).json({ status: 'UNKNOWN_LICENSE', message: 'no licence with this key' });
        return;
      case 'refused':
        response.status(403).json({ status: answer.status, message: answer.message });
        return;
      case 'no-release':
        response.status(404).json({ status: 'NO_RELEASE', message: `no release of ${answer.product} is published yet` });
        return;
      case 'granted':
        // Package binaries arrive with the release pipeline; until then the answer names the package.
        response.status(200).json({
          status: 'DOWNLOAD_AUTHORIZED',
          message: `${answer.product} ${answer.version}`,
          product: answer.product,
          version: answer.version,
        });
        return;
    }
  }
}
