import { Module } from '@nestjs/common';
import { ObjectStorage, objectStorageOf } from '@offboarding/storage';
import { loadProvisioningConfig, PROVISIONING_CONFIG, type ProvisioningConfig } from './provisioning-config';

/**
 * The provisioning service's own settings and the object storage for export artifacts (the
 * retention service's masking keys come with PlatformModule, from the service config).
 */
@Module({
  providers: [
    { provide: PROVISIONING_CONFIG, useFactory: () => loadProvisioningConfig() },
    { provide: ObjectStorage, useFactory: (config: ProvisioningConfig) => objectStorageOf(config.storage), inject: [PROVISIONING_CONFIG] },
  ],
  exports: [PROVISIONING_CONFIG, ObjectStorage],
})
export class ProvisioningInfrastructureModule {}
