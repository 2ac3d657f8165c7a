import { Module } from '@nestjs/common';
import { ProvisioningPoliciesResolver } from './provisioning-policies.resolver';
import { ProvisioningPoliciesService } from './provisioning-policies.service';

@Module({ providers: [ProvisioningPoliciesService, ProvisioningPoliciesResolver], exports: [ProvisioningPoliciesService] })
export class ProvisioningPoliciesModule {}
