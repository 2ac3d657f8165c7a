import { z } from 'zod';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export type JsonSchemaTarget = 'draft-2020-12' | 'draft-07';

// Keywords whose values are maps from a user-chosen name to a schema: the names keep their
// declaration order (a payload reads best in the order its author wrote it), only the schemas
// inside are reordered.
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
// Keywords holding instance data rather than schemas; reordering their keys would change
// what the author wrote, so they are copied untouched.
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);
const LEADING_KEYWORDS = ['$schema', '$id', '$ref', '$comment', 'title', 'description', 'type'];
const TRAILING_KEYWORDS = ['properties', 'required', 'additionalProperties'];

function keywordRank(key: string): number {
  const leading = LEADING_KEYWORDS.indexOf(key);
  if (leading >= 0) return leading;
  const trailing = TRAILING_KEYWORDS.indexOf(key);
  return trailing >= 0 ? LEADING_KEYWORDS.length + 1 + trailing : LEADING_KEYWORDS.length;
}

function compareKeywords(a: string, b: string): number {
  return keywordRank(a) - keywordRank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function isJsonObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Rewrites a schema with a fixed keyword order, so the checked-in files only change when the
 * contract does, not when zod happens to emit keywords in another order.
 */
export function canonicalSchema(schema: JsonValue): JsonValue {
  if (Array.isArray(schema)) return schema.map(canonicalSchema);
  if (!isJsonObject(schema)) return schema;
  const result: JsonObject = {};
  for (const key of Object.keys(schema).sort(compareKeywords)) {
    const value = schema[key];
    if (DATA_KEYWORDS.has(key)) {
      result[key] = value;
    } else if (SCHEMA_MAP_KEYWORDS.has(key) && isJsonObject(value)) {
      const map: JsonObject = {};
      for (const [name, member] of Object.entries(value)) map[name] = canonicalSchema(member);
      result[key] = map;
    } else {
      result[key] = canonicalSchema(value);
    }
  }
  return result;
}

/**
 * JSON Schema of what travels on the wire. `io: 'input'` because consumers validate the
 * message value as zod input; `unrepresentable: 'throw'` so a payload field JSON Schema cannot
 * express (a Date, a transform) fails generation instead of silently becoming `{}`.
 */
export function payloadJsonSchema(payload: z.ZodType, target: JsonSchemaTarget): JsonObject {
  const generated = z.toJSONSchema(payload, { target, io: 'input', unrepresentable: 'throw' });
  // The round trip drops undefined members and yields a plain, mutable copy.
  const plain = JSON.parse(JSON.stringify(generated)) as JsonValue;
  const canonical = canonicalSchema(plain);
  if (!isJsonObject(canonical)) throw new Error('zod produced a non-object JSON Schema for an event payload');
  return canonical;
}
