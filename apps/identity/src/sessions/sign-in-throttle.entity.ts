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

  /** Failed attempts since the last success (forgotten after the failure window). */
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

/** A sign-in whose password is being checked right now, per throttled key; it counts against the limit until it ends. */
@Entity({ name: 'sign_in_attempts' })
@Index('sign_in_attempts_key', ['key', 'startedAt'])
export class SignInAttemptEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @PrimaryColumn({ type: 'varchar', length: 200 })
  key!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;
}
