import type { INestApplication, Type } from '@nestjs/common';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  getNamedType,
  getNullableType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  isAbstractType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { DataSource } from 'typeorm';
import { textRulesOf, type TextRules } from '@offboarding/platform';
import { TestIdentity } from '@offboarding/testing';
import { postGraphQL, sampleInputValue, type Service, startSubgraph, subgraphTestEnv } from './subgraph-harness';

// Hostile text in every String and ID argument and input field of every operation of a subgraph,
// found by walking its schema (a new field is covered without touching this file). Each hostile
// string must be refused with BAD_USER_INPUT naming the field's path, never answered
// INTERNAL_SERVER_ERROR, and leave every table of the service as it was. Texts that are odd but
// legal (markup, SQL, emoji, combining marks, right-to-left overrides) must never be an internal
// error either.

/** Where a text sits in an operation's arguments: the argument, the steps into it, and its rules. */
interface TextPosition {
  argument: GraphQLArgument;
  /** Input field names and list indexes below the argument. */
  steps: (string | 0)[];
  /** How a refusal names it: `input.contacts[0].email`. */
  path: string;
  rules: TextRules;
}

/** Every String or ID position inside an argument, through input objects (each type once per path) and lists. */
function textPositions(argument: GraphQLArgument): TextPosition[] {
  const found: TextPosition[] = [];
  const walk = (type: GraphQLInputType, owner: GraphQLArgument | GraphQLInputField, steps: (string | 0)[], path: string, seen: readonly string[]) => {
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) return walk(inner.ofType, owner, [...steps, 0], `${path}[0]`, seen);
    if (isScalarType(inner) && (inner.name === 'String' || inner.name === 'ID')) {
      found.push({ argument, steps, path, rules: textRulesOf(owner, inner.name) });
      return;
    }
    if (!isInputObjectType(inner) || seen.includes(inner.name)) return;
    for (const field of Object.values(inner.getFields())) walk(field.type, field, [...steps, field.name], `${path}.${field.name}`, [...seen, inner.name]);
  };
  walk(argument.type, argument, [], argument.name, []);
  return found;
}

/** `value` (a sample of `type`) with `text` put at `steps`, creating optional fields on the way. */
function withText(type: GraphQLInputType, value: unknown, steps: (string | 0)[], text: string, organizationId: string): unknown {
  if (steps.length === 0) return text;
  const inner = isNonNullType(type) ? type.ofType : type;
  const [step, ...rest] = steps;
  if (isListType(inner)) {
    const items = Array.isArray(value) && value.length > 0 ? [...(value as unknown[])] : [sampleInputValue(inner.ofType, '', organizationId, [])];
    items[0] = withText(inner.ofType, items[0], rest, text, organizationId);
    return items;
  }
  if (!isInputObjectType(inner) || typeof step !== 'string') throw new Error(`cannot step into ${String(type)} with ${String(step)}`);
  const field = inner.getFields()[step];
  const fields = { ...((value as Record<string, unknown> | null) ?? {}) };
  fields[step] = withText(field.type, fields[step] ?? sampleInputValue(field.type, field.name, organizationId, ['organizationId']), rest, text, organizationId);
  return fields;
}

/** Texts the central check must refuse, for a position with these rules. */
function hostileTexts(rules: TextRules): { name: string; text: string; problem: RegExp }[] {
  const controls = /must not contain control characters/;
  return [
    { name: 'NUL', text: 'Acme\u0000GmbH', problem: controls },
    { name: 'a NUL alone', text: '\u0000', problem: controls },
    { name: 'BEL', text: 'ring\u0007', problem: controls },
    { name: 'an ANSI escape', text: '\u001B[2Jcleared', problem: controls },
    { name: 'DEL', text: 'x\u007F', problem: controls },
    { name: 'a C1 control (CSI)', text: '\u009B31m', problem: controls },
    { name: 'the noncharacter U+FFFF', text: 'a\uFFFF', problem: controls },
    { name: 'an unpaired high surrogate', text: 'emoji \uD83D cut', problem: /not valid Unicode/ },
    { name: 'an unpaired low surrogate', text: '\uDE00', problem: /not valid Unicode/ },
    { name: 'one character too many', text: 'a'.repeat(rules.maxLength + 1), problem: new RegExp(`at most ${rules.maxLength} characters`) },
    ...(rules.uuid ? [{ name: 'an id that is no UUID', text: "1' OR '1'='1", problem: /must be an id/ }] : []),
  ];
}

/** Odd but legal texts: whatever the domain answers, never an internal error. */
const ODD_TEXTS = [
  "Robert'); DROP TABLE organizations;--",
  '<script>alert(1)</script>',
  '😀👩‍👩‍👧 🏳️‍🌈',
  'e\u0301 decomposed',
  '\u202Egnp.exe',
  '   ',
  '',
  'line one\nline two\ttabbed\r\n',
  '%s%n%x {{7*7}} ${7*7}',
];

export function describeHostileInput(service: Service, load: () => Promise<{ AppModule: Type<unknown> }>): void {
  describe(`hostile text in every ${service} argument`, () => {
    const saved = { ...process.env };
    let identity: TestIdentity;
    let app: INestApplication;
    let url: string;
    let admin: string;

    beforeAll(async () => {
      identity = await TestIdentity.start();
      Object.assign(process.env, subgraphTestEnv(identity));
      ({ app, url } = await startSubgraph(load));
      admin = await identity.token({ role: 'ADMIN' });
    });

    afterAll(async () => {
      await app?.close();
      await identity?.stop();
      process.env = saved;
    });

    /** Rows per table of the service's schema (outbox and audit log included). */
    async function rowCounts(): Promise<Record<string, number>> {
      const dataSource = app.get(DataSource);
      const schema = (dataSource.options as { schema?: string }).schema ?? service;
      const tables = await dataSource.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
        [schema],
      );
      const counts: Record<string, number> = {};
      for (const { table_name: table } of tables) {
        counts[table] = Number((await dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM "${schema}"."${table}"`))[0].n);
      }
      return counts;
    }

    function operations(): { kind: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }[] {
      const schema = app.get(GraphQLSchemaHost).schema;
      return (
        [
          ['query', schema.getQueryType()],
          ['mutation', schema.getMutationType()],
        ] as const
      ).flatMap(([kind, type]) =>
        Object.values(type?.getFields() ?? {})
          .filter((field) => !field.name.startsWith('_'))
          .map((field) => ({ kind, field })),
      );
    }

    /** The operation with `text` at `position`: required arguments sampled, the position's argument always passed. */
    function request(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, position: TextPosition, text: string) {
      const organizationId = '0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f';
      const args = field.args.filter((arg) => isNonNullType(arg.type) || arg === position.argument);
      const variables = Object.fromEntries(
        args.map((arg) => {
          const sample = sampleInputValue(arg.type, arg.name, organizationId, ['organizationId', 'id']);
          return [arg.name, arg === position.argument ? withText(arg.type, sample, position.steps, text, organizationId) : sample];
        }),
      );
      const declarations = args.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(', ');
      const passing = args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
      const returned = getNamedType(getNullableType(field.type));
      const selection = isObjectType(returned) || isAbstractType(returned) ? ' { __typename }' : '';
      return { query: `${kind}(${declarations}) { ${field.name}(${passing})${selection} }`, variables };
    }

    it('refuses every hostile text in every argument with BAD_USER_INPUT naming the field, and stores nothing', async () => {
      const before = await rowCounts();
      const positions = operations().flatMap(({ kind, field }) => field.args.flatMap(textPositions).map((position) => ({ kind, field, position })));
      expect(positions.length).toBeGreaterThan(3);
      const wrong: string[] = [];
      let sent = 0;
      for (const { kind, field, position } of positions) {
        for (const hostile of hostileTexts(position.rules)) {
          const { query, variables } = request(kind, field, position, hostile.text);
          const answer = await postGraphQL(url, admin, query, variables);
          sent += 1;
          const error = answer.errors?.[0];
          const named = error?.extensions?.code === 'BAD_USER_INPUT' && error.extensions.field === position.path && hostile.problem.test(error.message);
          if (!named || answer.errors?.some((one) => one.extensions?.code === 'INTERNAL_SERVER_ERROR')) {
            wrong.push(`${field.name} ${position.path} with ${hostile.name}: ${JSON.stringify(answer.errors ?? answer.data)}`);
          }
        }
      }
      expect(wrong).toEqual([]);
      expect(sent).toBeGreaterThanOrEqual(positions.length * 10);
      expect(await rowCounts()).toEqual(before);
    });

    it('never answers an odd but legal text with an internal error', async () => {
      const internal: string[] = [];
      for (const { kind, field } of operations()) {
        for (const position of field.args.flatMap(textPositions)) {
          for (const text of ODD_TEXTS) {
            const { query, variables } = request(kind, field, position, text);
            const answer = await postGraphQL(url, admin, query, variables);
            if (answer.errors?.some((error) => error.extensions?.code === 'INTERNAL_SERVER_ERROR')) {
              internal.push(`${field.name} ${position.path} with ${JSON.stringify(text)}: ${JSON.stringify(answer.errors)}`);
            }
          }
        }
      }
      expect(internal).toEqual([]);
    });
  });
}
