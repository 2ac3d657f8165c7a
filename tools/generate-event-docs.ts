// Writes docs/events/<type>.schema.json and docs/asyncapi.yaml from the event catalog.
//   node tools/run-ts.js tools/generate-event-docs.ts          regenerate (npm run events:docs)
//   node tools/run-ts.js tools/generate-event-docs.ts --check  write nothing, exit 1 on drift
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
// The docs generator is deliberately not exported from @offboarding/contracts: services import
// that barrel at runtime and have no use for yaml or the AsyncAPI builder.
import {
  describeDrift,
  eventDocsDrift,
  existingSchemaFiles,
  generateEventDocs,
  hasDrift,
} from '../libs/contracts/src/docs/event-docs';
import { EVENT_DOCS_COMMAND } from '../libs/contracts/src/docs/json-schemas';

const root = resolve(__dirname, '..');

function check(): number {
  const drift = eventDocsDrift(root);
  if (!hasDrift(drift)) {
    process.stdout.write('Event docs are up to date.\n');
    return 0;
  }
  process.stderr.write(`Event docs are out of date with the catalog; run \`${EVENT_DOCS_COMMAND}\`.\n${describeDrift(drift)}\n`);
  return 1;
}

function generate(): number {
  const files = generateEventDocs();
  const changes: string[] = [];
  for (const file of files) {
    const absolute = join(root, file.path);
    // Untouched files keep their mtime, so watchers and incremental builds stay quiet.
    if (existsSync(absolute) && readFileSync(absolute, 'utf8') === file.content) continue;
    changes.push(`${existsSync(absolute) ? 'updated' : 'created'}: ${file.path}`);
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, file.content);
  }
  const wanted = new Set(files.map((file) => file.path));
  for (const path of existingSchemaFiles(root)) {
    if (wanted.has(path)) continue;
    rmSync(join(root, path));
    changes.push(`deleted: ${path}`);
  }
  process.stdout.write(changes.length > 0 ? `${changes.join('\n')}\n` : 'Event docs are up to date.\n');
  return 0;
}

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== '--check');
if (unknown.length > 0) {
  process.stderr.write(`Unknown argument(s): ${unknown.join(' ')}\nusage: generate-event-docs [--check]\n`);
  process.exitCode = 2;
} else {
  process.exitCode = args.includes('--check') ? check() : generate();
}
