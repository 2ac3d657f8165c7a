import type { ValueTransformer } from 'typeorm';

/** PostgreSQL bigint arrives as a string; the counts stored in it stay far below 2^53. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
