import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Pii } from '@offboarding/data-lifecycle';
import { ExportRelated } from '@offboarding/platform';

/**
 * A person at an organization. Everything here but the ids is PII and is masked on request. A
 * vendor's export holds its partners' contacts too (`partner_contacts`).
 */
@ExportRelated({ collection: 'partner_contacts', organizationColumn: 'vendor_id', via: { table: 'organizations', key: 'organization_id' } })
@Entity({ name: 'organization_contacts' })
export class ContactEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Pii()
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Pii()
  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Pii()
  @Column({ type: 'varchar', length: 100, nullable: true })
  phone!: string | null;

  @Pii()
  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  role!: string | null;

  @Column({ name: 'masked_at', type: 'timestamptz', nullable: true })
  maskedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
