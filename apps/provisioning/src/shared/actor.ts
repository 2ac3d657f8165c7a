// Until authentication lands (identity issue) every admin or customer change is recorded
// against this actor id; scheduled work records `system:<job>`.
export const UNAUTHENTICATED_ACTOR = 'anonymous';

export function systemActor(job: string): string {
  return `system:${job}`;
}
