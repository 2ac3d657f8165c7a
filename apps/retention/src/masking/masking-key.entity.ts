import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ExcludeFromExport } from '@offboarding/platform';

/** An organization's masking key while its services mask; overwritten and deleted afterwards. */
@Entity({ name: 'masking_keys' })
@ExcludeFromExport()
export class MaskingKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  ref!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ type: 'bytea' })
  key!: Buffer;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
