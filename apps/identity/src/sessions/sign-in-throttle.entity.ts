import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Failed sign-ins counted per account and per client address, shared by every identity replica
 * through the database. The account is named by the SHA-256 of its normalized e-mail, so unknown
 * addresses are throttled alike and the table holds no e-mail.
 */
@Entity({ name: 'sign_in_throttle' })
@Index('sign_in_throttle_last_attempt', ['lastAttemptAt'])
export class SignInThrottleEntity {
  /** `account:<sha256 of the e-mail>` or `address:<client address>`. */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  key!: string;

  /** Attempts since the last success that were not (or not yet known to be) right. */
  @Column({ type: 'integer' })
  failures!: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz' })
  lastAttemptAt!: Date;

  /** Attempts refused while locked since the last success. */
  @Column({ type: 'integer' })
  refused!: number;
}
