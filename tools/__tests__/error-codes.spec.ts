import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { buildSchema, isEnumType } from 'graphql';
import { ERROR_CODES } from '@offboarding/platform';
import { root } from './deployment-contract';

// The error codes are part of the public contract: the schema's ErrorCode enum is the list, and
// every code the platform's source can put into `extensions.code` must be on it.

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '__tests__' || entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.(spec|int-spec|pg-spec)\.ts$/.test(entry.name) && entry.name !== 'generated.ts' ? [full] : [];
  });
}

/** Every place the source sets or compares an error code, and the code there. */
const CODE_PATTERNS = [
  /\bcode(?:\??:| \?\?| ===| !==) '([A-Z][A-Z_]+)'/g, // { code: 'X' }, code ?? 'X', code === 'X'
  /\bErrorCode\.([A-Z][A-Z_]+)/g,
  /\bQueryLimitError\(\s*'([A-Z][A-Z_]+)'/g,
  /\brefuse\(res, \d+, '([A-Z][A-Z_]+)'/g,
];

function codesInSource(): Map<string, string[]> {
  const dirs = ['apps', 'libs'].flatMap((top) =>
    fs
      .readdirSync(path.join(root, top))
      // The development broker's ErrorCode is Kafka's protocol error list, not ours.
      .filter((name) => name !== 'dev-broker')
      .map((name) => path.join(root, top, name, 'src'))
      .filter((dir) => fs.existsSync(dir)),
  );
  const found = new Map<string, string[]>();
  for (const file of dirs.flatMap(sourceFiles)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const pattern of CODE_PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        // Kafka and Node errors compared by code (ECONNRESET, ENOENT) are not GraphQL codes.
        if (/^E[A-Z]+$/.test(match[1]) && !(match[1] in ERROR_CODES)) continue;
        found.set(match[1], [...(found.get(match[1]) ?? []), path.relative(root, file)]);
      }
    }
  }
  return found;
}

describe('the ErrorCode enum of the public schema', () => {
  const schema = buildSchema(fs.readFileSync(path.join(root, 'schema/api.graphql'), 'utf8'));
  const enumType = schema.getType('ErrorCode');

  it('lists exactly the catalog in libs/platform, every value described', () => {
    if (!isEnumType(enumType)) throw new Error('schema/api.graphql has no enum ErrorCode');
    expect(enumType.description).toMatch(/extensions\.code/);
    const values = enumType.getValues();
    expect(values.map((value) => value.name).sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const value of values) {
      expect({ code: value.name, description: value.description }).toEqual({ code: value.name, description: ERROR_CODES[value.name as keyof typeof ERROR_CODES].description });
      expect(value.description?.length).toBeGreaterThan(40);
    }
  });

  it('has every code the source sets or compares', () => {
    const found = codesInSource();
    // The walk sees the codes thrown in every layer: domain services, the platform, the gateway's limits and HTTP refusals.
    for (const known of ['NOT_FOUND', 'INVALID_TRANSITION', 'LEGAL_HOLD', 'QUERY_TOO_DEEP', 'TOO_MANY_ALIASES', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED', 'UNAUTHENTICATED']) {
      expect(found.has(known)).toBe(true);
    }
    const unknown = [...found].filter(([code]) => !(code in ERROR_CODES)).map(([code, files]) => `${code} (${[...new Set(files)].join(', ')})`);
    expect(unknown).toEqual([]);
  });

  it("has every code Apollo Server itself answers with (parse, validation, variables, persisted queries, HTTP)", () => {
    for (const code of Object.values(ApolloServerErrorCode)) expect(Object.keys(ERROR_CODES)).toContain(code);
  });

  it('is listed, value by value, in the README', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## API: error codes'));
    expect(section.length).toBeLessThan(readme.length);
    for (const code of Object.keys(ERROR_CODES)) expect(section).toContain(`\`${code}\``);
  });
});
