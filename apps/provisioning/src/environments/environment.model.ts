import { Field, Float, ID, InputType, ObjectType } from '@nestjs/graphql';
import '../graphql/enums';
import { EnvironmentStatus } from './environment-status';

@ObjectType('Environment', { description: 'A hosted environment fed by an ENV entitlement.' })
export class EnvironmentModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  entitlementId!: string;

  @Field()
  name!: string;

  @Field()
  url!: string;

  @Field()
  region!: string;

  @Field(() => EnvironmentStatus)
  status!: EnvironmentStatus;

  @Field(() => String, { nullable: true, description: 'Masked once the organization\'s PII is masked.' })
  contactName!: string | null;

  @Field(() => String, { nullable: true, description: 'Masked once the organization\'s PII is masked.' })
  contactEmail!: string | null;

  @Field(() => Date, { nullable: true })
  deprovisionedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the teardown job may tear the environment down (cancellation + retention days).' })
  teardownDueAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Set when a due teardown was refused because the data is neither exported nor waived.' })
  teardownBlockedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  exportWaivedAt!: Date | null;

  @Field(() => String, { nullable: true })
  exportWaiverReason!: string | null;

  @Field(() => Date, { nullable: true })
  tornDownAt!: Date | null;

  @Field()
  createdAt!: Date;
}

@ObjectType('EnvironmentExport', { description: "An export artifact of an environment's data in object storage." })
export class EnvironmentExportModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  environmentId!: string;

  @Field()
  storageKey!: string;

  @Field(() => Float, { description: 'Bytes.' })
  sizeBytes!: number;

  @Field({ description: 'Hex SHA-256 of the artifact.' })
  sha256!: string;

  @Field()
  createdBy!: string;

  @Field()
  createdAt!: Date;
}

@InputType()
export class UpdateEnvironmentContactInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  contactName?: string | null;

  @Field(() => String, { nullable: true })
  contactEmail?: string | null;
}
