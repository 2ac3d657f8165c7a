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
// Which changes: with API_BASE_REF set, the working tree against that commit. Otherwise every
// commit of the first-parent history that changed the schema, each against its first parent (for
// a merge that is the branch merged into, so every commit the merge brings in counts at once), and
// any uncommitted change against HEAD: commits that land together, merged or not, are all checked.
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

function workingFile(cwd: string, file: string): string | null {
  const full = path.join(cwd, file);
  return fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : null;
}

/**
 * Compares the API schema at `baseRef` with that of `target` (a commit, or the working tree when
 * omitted); a break counts as recorded when a line naming it was added to the changelog between
 * `baseRef` and the working tree, so a later commit of the same landing may record it.
 */
export async function checkApiChanges(cwd: string, baseRef: string, target?: string): Promise<ApiCheckResult> {
  const base = git(cwd, ['rev-parse', '--verify', `${baseRef}^{commit}`]).trim();
  const previousSchema = fileAt(cwd, base, API_SCHEMA_PATH);
  const currentSchema = target === undefined ? workingFile(cwd, API_SCHEMA_PATH) : fileAt(cwd, target, API_SCHEMA_PATH);
  if (previousSchema === null || currentSchema === null) return { base, compared: false, breaking: [], unrecorded: [] };
  const breaking = await breakingChanges(previousSchema, currentSchema);
  return { base, compared: true, breaking, unrecorded: unrecorded(breaking, fileAt(cwd, base, CHANGELOG_PATH) ?? '', workingFile(cwd, CHANGELOG_PATH) ?? '') };
}

export interface HistoryCheckResult extends ApiCheckResult {
  /** The commit compared with its first parent, or `working tree` for uncommitted changes. */
  change: string;
}

/**
 * Every change of the API schema on the first-parent history (at most `limit` commits, newest
 * first), each against its first parent, then the working tree against HEAD when it differs.
 */
export async function checkApiHistory(cwd: string, limit = 200): Promise<HistoryCheckResult[]> {
  const results: HistoryCheckResult[] = [];
  const dirty = git(cwd, ['status', '--porcelain', '--', API_SCHEMA_PATH, CHANGELOG_PATH]).trim() !== '';
  if (dirty) results.push({ change: 'working tree', ...(await checkApiChanges(cwd, 'HEAD')) });
  const commits = git(cwd, ['rev-list', '--first-parent', `--max-count=${limit}`, 'HEAD', '--', API_SCHEMA_PATH]).split('\n').filter(Boolean);
  for (const commit of commits) {
    const parents = git(cwd, ['rev-list', '--parents', '-n', '1', commit]).trim().split(' ').slice(1);
    if (parents.length === 0) continue; // the root commit has nothing before it
    results.push({ change: commit, ...(await checkApiChanges(cwd, parents[0], commit)) });
  }
  return results;
}

function reportUnrecorded(label: string, result: ApiCheckResult): void {
  process.stderr.write(
    [
      `api:check: ${result.unrecorded.length} breaking change(s) to the public API in ${label} not recorded in ${CHANGELOG_PATH} (## API):`,
      ...result.unrecorded.map((change) => `  - \`${change.path}\`: ${change.message}`),
      'Record each under "## API" in CHANGELOG.md, naming its coordinate in backticks, or make the change additive.',
      '',
    ].join('\n'),
  );
  process.exitCode = 1;
}

async function main(): Promise<void> {
  const baseRef = process.env.API_BASE_REF;
  if (!baseRef) {
    const results = await checkApiHistory(root);
    const failed = results.filter((result) => result.unrecorded.length > 0);
    for (const result of failed) {
      reportUnrecorded(result.change === 'working tree' ? 'the working tree (against HEAD)' : `${result.change.slice(0, 12)} (against ${result.base.slice(0, 12)})`, result);
    }
    if (failed.length > 0) return;
    const recorded = results.reduce((sum, result) => sum + result.breaking.length, 0);
    process.stdout.write(
      `api:check: no unrecorded breaking change in ${results.filter((result) => result.compared).length} change(s) of ${API_SCHEMA_PATH}${recorded ? ` (${recorded} recorded in ${CHANGELOG_PATH})` : ''}\n`,
    );
    return;
  }
  try {
    git(root, ['rev-parse', '--verify', `${baseRef}^{commit}`]);
  } catch {
    throw new Error(`API_BASE_REF=${baseRef} is not a commit of this repository`);
  }
  const result = await checkApiChanges(root, baseRef);
  const short = result.base.slice(0, 12);
  if (!result.compared) {
    process.stdout.write(`api:check: ${short} has no ${API_SCHEMA_PATH}; nothing to compare\n`);
    return;
  }
  if (result.unrecorded.length > 0) return reportUnrecorded(`the working tree since ${short}`, result);
  const recorded = result.breaking.length;
  process.stdout.write(`api:check: no unrecorded breaking change since ${short}${recorded ? ` (${recorded} recorded in ${CHANGELOG_PATH})` : ''}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
