import { pgliteTemplate } from '@offboarding/persistence';

/** Builds the PGlite template once before any worker needs a fresh embedded database. */
export default async function globalSetup(): Promise<void> {
  await pgliteTemplate();
}
