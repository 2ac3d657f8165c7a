import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAsyncApiYaml } from './asyncapi';
import { eventJsonSchemas } from './json-schemas';

// The generator (tools/generate-event-docs.ts) and the drift test share this module so they
// cannot disagree about which files exist and what they contain.

export const EVENT_SCHEMAS_DIR = 'docs/events';
export const ASYNCAPI_FILE = 'docs/asyncapi.yaml';
const SCHEMA_SUFFIX = '.schema.json';

export interface GeneratedFile {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  content: string;
}

export function generateEventDocs(): GeneratedFile[] {
  return [
    ...eventJsonSchemas().map(({ fileName, schema }) => ({
      path: `${EVENT_SCHEMAS_DIR}/${fileName}`,
      content: `${JSON.stringify(schema, null, 2)}\n`,
    })),
    { path: ASYNCAPI_FILE, content: renderAsyncApiYaml() },
  ];
}

/** Schema files present on disk; other files in the folder (a README) are not ours to judge. */
export function existingSchemaFiles(root: string): string[] {
  const dir = join(root, EVENT_SCHEMAS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(SCHEMA_SUFFIX))
    .sort()
    .map((name) => `${EVENT_SCHEMAS_DIR}/${name}`);
}

export interface EventDocsDrift {
  missing: string[];
  stale: string[];
  /** Schema files of event types no longer in the catalog. */
  extra: string[];
}

export function eventDocsDrift(root: string, expected: GeneratedFile[] = generateEventDocs()): EventDocsDrift {
  const drift: EventDocsDrift = { missing: [], stale: [], extra: [] };
  for (const file of expected) {
    const absolute = join(root, file.path);
    if (!existsSync(absolute)) drift.missing.push(file.path);
    // CRLF is tolerated so a Windows checkout with core.autocrlf does not look stale.
    else if (readFileSync(absolute, 'utf8').replace(/\r\n/g, '\n') !== file.content) drift.stale.push(file.path);
  }
  const wanted = new Set(expected.map((file) => file.path));
  drift.extra = existingSchemaFiles(root).filter((path) => !wanted.has(path));
  return drift;
}

export function hasDrift(drift: EventDocsDrift): boolean {
  return drift.missing.length + drift.stale.length + drift.extra.length > 0;
}

export function describeDrift(drift: EventDocsDrift): string {
  const lines = [
    ...drift.missing.map((path) => `missing: ${path}`),
    ...drift.stale.map((path) => `stale:   ${path}`),
    ...drift.extra.map((path) => `extra:   ${path}`),
  ];
  return lines.join('\n');
}
