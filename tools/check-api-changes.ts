import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

// The breaking-change check of the public API (`npm run api:check`, run by CI). It compares
// schema/api.graphql with the same file at a base commit and fails on every breaking change
// (a removed type, field, argument or enum value, a narrowed type, a new required argument …)
// that the API section of CHANGELOG.md does not record in the same change.
//
// Which base: API_BASE_REF when set, else HEAD^ (the first parent). For a merge commit the first
// parent is the branch merged into, so every commit the merge brings in is compared at once; when
// several commits land without a merge, set API_BASE_REF to the last commit before them.
// Additions (new types, fields, optional arguments, enum values) never fail the check.

const root = path.resolve(__dirname, '..');
export const API_SCHEMA_PATH = 'schema/api.graphql';
export const CHANGELOG_PATH = 'CHANGELOG.md';

export interface BreakingChange {
  /** Schema coordinate, e.g. `Organization.licenses` or `Query.organizations.filter`. */
  path: string;
  message: string;
}

/** Every breaking change from one API schema to the next (dangerous and safe ones pass). */
export async function breakingChanges(previousSdl: string, currentSdl: string): Promise<BreakingChange[]> {
  const changes = await diff(buildSchema(previousSdl), buildSchema(currentSdl));
  return changes
    .filter((change) => change.criticality.level === CriticalityLevel.Breaking)
    .map((change) => ({ path: change.path ?? '', message: change.message }));
}

/** The lines of CHANGELOG.md's `## API` section (up to the next second-level heading). */
export function apiSection(changelog: string): string[] {
  const lines = changelog.split(/\r?\n/);
  const start = lines.findIndex((line) => /^##\s+API\b/i.test(line.trim()));
  if (start < 0) return [];
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^##\s/.test(line));
  return (end < 0 ? rest : rest.slice(0, end)).filter((line) => line.trim() !== '');
}

/**
 * Breaking changes no new line of the API section names. A change is recorded when a line added
 * to the section since the base names its coordinate in backticks (`Organization.licenses`), or
 * a coordinate that contains it (`Organization` for every change below that type): an old entry
 * never excuses a new break of the same field.
 */
export function unrecorded(changes: BreakingChange[], previousChangelog: string, currentChangelog: string): BreakingChange[] {
  const before = new Map<string, number>();
  for (const line of apiSection(previousChangelog)) before.set(line, (before.get(line) ?? 0) + 1);
  const added: string[] = [];
  for (const line of apiSection(currentChangelog)) {
    const left = before.get(line) ?? 0;
    if (left > 0) before.set(line, left - 1);
    else added.push(line);
  }
  const named = new Set(added.flatMap((line) => [...line.matchAll(/`([_A-Za-z][_0-9A-Za-z.]*)`/g)].map((match) => match[1])));
  const covered = (coordinate: string) => {
    const parts = coordinate.split('.');
    return parts.some((_, index) => named.has(parts.slice(0, index + 1).join('.')));
  };
  return changes.filter((change) => !covered(change.path));
}

export interface ApiCheckResult {
  base: string;
  /** False when the base has no API schema yet (the change that introduces it). */
  compared: boolean;
  breaking: BreakingChange[];
  unrecorded: BreakingChange[];
}

const git = (cwd: string, args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function fileAt(cwd: string, revision: string, file: string): string | null {
  try {
    return git(cwd, ['show', `${revision}:${file}`]);
  } catch {
    return null;
  }
}

/** Compares the working tree's API schema and changelog with those at `baseRef`. */
export async function checkApiChanges(cwd: string, baseRef: string): Promise<ApiCheckResult> {
  const base = git(cwd, ['rev-parse', '--verify', `${baseRef}^{commit}`]).trim();
  const previousSchema = fileAt(cwd, base, API_SCHEMA_PATH);
  if (previousSchema === null) return { base, compared: false, breaking: [], unrecorded: [] };
  const currentSchema = fs.readFileSync(path.join(cwd, API_SCHEMA_PATH), 'utf8');
  const breaking = await breakingChanges(previousSchema, currentSchema);
  const changelog = (file: string | null) => file ?? '';
  const currentChangelogFile = path.join(cwd, CHANGELOG_PATH);
  const currentChangelog = fs.existsSync(currentChangelogFile) ? fs.readFileSync(currentChangelogFile, 'utf8') : '';
  return { base, compared: true, breaking, unrecorded: unrecorded(breaking, changelog(fileAt(cwd, base, CHANGELOG_PATH)), currentChangelog) };
}

async function main(): Promise<void> {
  const baseRef = process.env.API_BASE_REF || 'HEAD^';
  let hasBase = true;
  try {
    git(root, ['rev-parse', '--verify', `${baseRef}^{commit}`]);
  } catch {
    hasBase = false;
  }
  if (!hasBase) {
    if (process.env.API_BASE_REF) throw new Error(`API_BASE_REF=${baseRef} is not a commit of this repository`);
    process.stdout.write('api:check: no previous commit to compare with (first commit of the history)\n');
    return;
  }
  const result = await checkApiChanges(root, baseRef);
  const short = result.base.slice(0, 12);
  if (!result.compared) {
    process.stdout.write(`api:check: ${short} has no ${API_SCHEMA_PATH}; nothing to compare\n`);
    return;
  }
  const recorded = result.breaking.length - result.unrecorded.length;
  if (result.unrecorded.length > 0) {
    process.stderr.write(
      [
        `api:check: ${result.unrecorded.length} breaking change(s) to the public API since ${short} not recorded in ${CHANGELOG_PATH} (## API):`,
        ...result.unrecorded.map((change) => `  - \`${change.path}\`: ${change.message}`),
        'Record each under "## API" in CHANGELOG.md, naming its coordinate in backticks, or make the change additive.',
        '',
      ].join('\n'),
    );
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`api:check: no unrecorded breaking change since ${short}${recorded ? ` (${recorded} recorded in ${CHANGELOG_PATH})` : ''}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
