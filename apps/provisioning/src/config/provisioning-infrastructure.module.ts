import { Module } from '@nestjs/common';
import { HttpMaskingKeys, MaskingKeys } from '@offboarding/platform';
import { ObjectStorage, objectStorageFromEnv } from '@offboarding/storage';
import { loadProvisioningConfig, PROVISIONING_CONFIG, type ProvisioningConfig } from './provisioning-config';

/**
 * The provisioning service's own settings and its outside collaborators: object storage for
 * export artifacts (a local directory until the S3 driver arrives with retention) and the
 * retention service's masking keys.
 */
@Module({
  providers: [
    { provide: PROVISIONING_CONFIG, useFactory: () => loadProvisioningConfig() },
    { provide: ObjectStorage, useFactory: () => objectStorageFromEnv() },
    { provide: MaskingKeys, useFactory: (config: ProvisioningConfig) => new HttpMaskingKeys({ retentionInternalUrl: config.retentionInternalUrl, maskingKeyTimeoutMs: config.maskingKeyTimeoutMs }), inject: [PROVISIONING_CONFIG] },
  ],
  exports: [PROVISIONING_CONFIG, ObjectStorage, MaskingKeys],
})
export class ProvisioningInfrastructureModule {}
