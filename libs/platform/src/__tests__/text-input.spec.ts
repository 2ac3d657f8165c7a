import { buildSchema, graphql } from 'graphql';
import { checkText, checkTextInputs, DEFAULT_TEXT_RULES } from '../graphql/text-input';

describe('central text input checks', () => {
  const rules = DEFAULT_TEXT_RULES.String;

  it('normalizes to NFC, keeps tabs and line breaks, and keeps verbatim texts as sent', () => {
    expect(checkText('Cafe\u0301', 'name', rules)).toBe('Caf\u00e9');
    expect(checkText('one\ttwo\r\nthree', 'notes', rules)).toBe('one\ttwo\r\nthree');
    expect(checkText('Cafe\u0301', 'secret', { ...rules, verbatim: true })).toBe('Cafe\u0301');
  });

  it.each([
    ['NUL', 'a\u0000b', /control characters \(found U\+0000 at position 1\)/],
    ['ESC', '\u001B[2J', /U\+001B/],
    ['DEL', '\u007F', /U\+007F/],
    ['a C1 control', '\u0085', /U\+0085/],
    ['a noncharacter', '\uFFFE', /U\+FFFE/],
    ['an unpaired surrogate', '\uD800x', /not valid Unicode/],
    ['a lone low surrogate', 'x\uDC00', /not valid Unicode/],
  ])('refuses %s, naming the field', (_name, text, problem) => {
    let refusal: unknown = null;
    try {
      checkText(text, 'input.contacts[0].name', rules);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'input.contacts[0].name' }, message: expect.stringMatching(problem) });
  });

  it('accepts a pair of surrogates (an emoji) and counts length after normalization', () => {
    expect(checkText('😀', 'name', rules)).toBe('😀');
    expect(checkText('e\u0301'.repeat(5), 'name', { ...rules, maxLength: 5 })).toBe('\u00e9'.repeat(5));
    expect(() => checkText('a'.repeat(6), 'name', { ...rules, maxLength: 5 })).toThrow(/at most 5 characters/);
  });

  it('accepts only UUIDs as ids', () => {
    expect(checkText('0B9D6A4E-3F1C-4D8A-9E2B-7C5F1A2D3E4F', 'id', DEFAULT_TEXT_RULES.ID)).toBe('0B9D6A4E-3F1C-4D8A-9E2B-7C5F1A2D3E4F');
    expect(() => checkText("1' OR '1'='1", 'id', DEFAULT_TEXT_RULES.ID)).toThrow(/must be an id/);
  });

  it('refuses a malformed id anywhere, nested in inputs and lists, naming where, before the resolver runs', async () => {
    const id = '0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f';
    let calls = 0;
    const schema = buildSchema(`
      input Inner { id: ID, ids: [ID!], note: String }
      input Outer { organizationId: ID!, inner: Inner, list: [Inner!] }
      type Query { one(id: ID!, input: Outer, free: String): Int }
    `);
    schema.getQueryType()!.getFields().one.resolve = () => (calls += 1);
    checkTextInputs(schema);
    const one = (args: string) => graphql({ schema, source: `{ one(${args}) }` });
    const field = async (args: string) => (await one(args)).errors?.[0]?.message.split(':')[0];

    expect((await one(`id: "${id.toUpperCase()}", free: "anything at all", input: { organizationId: "${id}", inner: { id: "${id}", ids: ["${id}"], note: "x" }, list: [{ id: null }] }`)).errors).toBeUndefined();
    expect(calls).toBe(1);
    expect((await one('id: "nope"')).errors?.[0]?.message).toMatch(/^id: must be an id \(a UUID/);
    expect(await field(`id: "${id}", input: { organizationId: "${id}x" }`)).toBe('input.organizationId');
    expect(await field(`id: "${id}", input: { organizationId: "${id}", list: [{ ids: ["${id}", "42"] }] }`)).toBe('input.list[0].ids[1]');
    expect(calls).toBe(1);
  });

  it('checks and normalizes every text argument and nested input field before the resolver runs', async () => {
    const seen: unknown[] = [];
    const schema = buildSchema(`
      input Contact { name: String!, tags: [String!] }
      input Org { name: String!, contacts: [Contact!] }
      type Query { ok: Boolean }
      type Mutation { create(input: Org!, note: String): Boolean }
    `);
    schema.getMutationType()!.getFields().create.resolve = (_source, args) => {
      seen.push(args);
      return true;
    };
    checkTextInputs(schema);
    const create = (input: string) => graphql({ schema, source: `mutation { create(input: ${input}, note: "x") }` });

    expect((await create('{ name: "Cafe\\u0301", contacts: [{ name: "Zoe\\u0308", tags: ["a\\u030A"] }] }')).data).toEqual({ create: true });
    expect(seen).toEqual([{ input: { name: 'Café', contacts: [{ name: 'Zoë', tags: ['å'] }] }, note: 'x' }]);

    const refused = await create('{ name: "ok", contacts: [{ name: "ok", tags: ["fine", "bad\\u0000"] }] }');
    expect(refused.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^input\.contacts\[0\]\.tags\[1\]: must not contain control characters/) });
    expect(seen).toHaveLength(1);
  });
});
