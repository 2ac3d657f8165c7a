import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';

@ObjectType('SiteActivation', { description: 'A site running the plugin under a licence, as its last update check reported.' })
export class SiteActivationModel {
  @Field(() => ID)
  id!: string;

  @Field()
  siteUrl!: string;

  @Field({ description: 'Kept as reported when the licence is cancelled: the site keeps working on it.' })
  installedVersion!: string;

  @Field()
  lastCheckInAt!: Date;
}

@InputType()
export class RecordSiteActivationInput {
  @Field()
  licenseKey!: string;

  @Field({ description: 'The site the plugin runs on, an absolute http(s) URL.' })
  siteUrl!: string;

  @Field({ description: 'Installed plugin version, e.g. 2.4.1.' })
  version!: string;
}

@ObjectType('PluginRelease', { description: 'A published plugin version; update checks offer the highest.' })
export class PluginReleaseModel {
  @Field(() => ID)
  id!: string;

  @Field()
  product!: string;

  @Field()
  version!: string;

  @Field()
  releasedAt!: Date;
}
