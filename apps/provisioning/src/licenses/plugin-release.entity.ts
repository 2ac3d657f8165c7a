import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A published version of a plugin product; the update check offers the highest one. */
@Entity({ name: 'plugin_releases' })
export class PluginReleaseEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  product!: string;

  @Column({ type: 'varchar', length: 50 })
  version!: string;

  @Column({ name: 'released_at', type: 'timestamptz' })
  releasedAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
