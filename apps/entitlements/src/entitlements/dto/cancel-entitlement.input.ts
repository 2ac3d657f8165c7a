import { Field, ID, InputType } from '@nestjs/graphql';
import { CancellationReason } from '@offboarding/contracts';
import '../../graphql/enums';

@InputType()
export class CancelEntitlementInput {
  @Field(() => ID)
  entitlementId!: string;

  @Field(() => CancellationReason)
  reason!: CancellationReason;

  @Field(() => String, { nullable: true, description: 'Free text, at most 2000 characters.' })
  notes?: string | null;
}
