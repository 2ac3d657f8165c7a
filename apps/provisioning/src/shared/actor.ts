// Changes made through the API are recorded against the caller's user id; scheduled work
// records `system:<job>`.
export function systemActor(job: string): string {
  return `system:${job}`;
}
