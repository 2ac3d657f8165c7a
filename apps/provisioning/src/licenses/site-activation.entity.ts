import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A site where the plugin runs under a licence, as last reported by its update check. */
@Entity({ name: 'site_activations' })
export class SiteActivationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'license_id', type: 'uuid' })
  licenseId!: string;

  @Column({ name: 'site_url', type: 'varchar', length: 2048 })
  siteUrl!: string;

  @Column({ name: 'installed_version', type: 'varchar', length: 50 })
  installedVersion!: string;

  @Column({ name: 'last_check_in_at', type: 'timestamptz' })
  lastCheckInAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
