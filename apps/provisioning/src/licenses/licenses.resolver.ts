import { Args, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminOnly, AnyRole } from '@offboarding/platform';
import { OrganizationReference } from '../organizations/organization.model';
import type { LicenseEntity } from './license.entity';
import { LicenseModel } from './license.model';
import type { PluginReleaseEntity } from './plugin-release.entity';
import { PluginReleasesService } from './plugin-releases.service';
import type { SiteActivationEntity } from './site-activation.entity';
import { PluginReleaseModel, RecordSiteActivationInput, SiteActivationModel } from './site-activation.model';
import { LicensesService } from './licenses.service';

@Resolver(() => OrganizationReference)
export class OrganizationLicensesResolver {
  constructor(private readonly licensesService: LicensesService) {}

  @ResolveField(() => [LicenseModel], { description: 'Plugin licences of the organization, oldest first.' })
  @AnyRole()
  licenses(@Parent() organization: OrganizationReference): Promise<LicenseEntity[]> {
    return this.licensesService.listForOrganization(organization.id);
  }
}

@Resolver(() => LicenseModel)
export class LicensesResolver {
  constructor(
    private readonly licensesService: LicensesService,
    private readonly releases: PluginReleasesService,
  ) {}

  @ResolveField(() => [SiteActivationModel], { description: 'Sites the plugin runs on under this licence, oldest first.' })
  @AnyRole()
  siteActivations(@Parent() license: LicenseEntity): Promise<SiteActivationEntity[]> {
    return this.licensesService.activationsOf(license.id);
  }

  @Mutation(() => SiteActivationModel, { description: 'Activates the plugin on a site (or records its installed version again).' })
  @AdminOnly()
  recordSiteActivation(@Args('input') input: RecordSiteActivationInput): Promise<SiteActivationEntity> {
    return this.licensesService.recordSiteActivation(input);
  }

  @Mutation(() => PluginReleaseModel, { description: 'Publishes a plugin version; update checks offer the highest published version.' })
  @AdminOnly()
  publishPluginRelease(@Args('product') product: string, @Args('version') version: string): Promise<PluginReleaseEntity> {
    return this.releases.publish(product, version);
  }
}
