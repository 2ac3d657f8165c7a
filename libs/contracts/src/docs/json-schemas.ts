import { eventCatalog, type EventType } from '../events/catalog';
import { payloadJsonSchema, type JsonObject } from './json-schema-utils';

export const SCHEMA_BASE_URL = 'https://schemas.offboarding.dev/events/';
export const EVENT_DOCS_COMMAND = 'npm run events:docs';

const EVENT_TYPE_PARTS = /^com\.offboarding\.([a-z][a-z0-9]*)\.([a-z][a-z0-9]*(?:_[a-z0-9]+)*)\.v([1-9][0-9]*)$/;

export interface EventTypeParts {
  producer: string;
  /** snake_case event name, e.g. `entitlement_cancelled`. */
  name: string;
  version: number;
}

export function eventTypeParts(type: string): EventTypeParts {
  const match = EVENT_TYPE_PARTS.exec(type);
  if (!match) throw new Error(`Event type "${type}" does not follow com.offboarding.<producer>.<snake_case_event>.v<N>`);
  return { producer: match[1], name: match[2], version: Number(match[3]) };
}

/** Human title, e.g. "Entitlement cancelled (v1)"; code generators derive type names from it. */
export function eventTitle(type: string): string {
  const { name, version } = eventTypeParts(type);
  const words = name.replace(/_/g, ' ');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)} (v${version})`;
}

export function eventSchemaId(type: string): string {
  return `${SCHEMA_BASE_URL}${type}.json`;
}

export function eventSchemaFileName(type: string): string {
  return `${type}.schema.json`;
}

export interface EventJsonSchema {
  type: EventType;
  fileName: string;
  schema: JsonObject;
}

/** One draft 2020-12 JSON Schema per event type, in catalog order. */
export function eventJsonSchemas(): EventJsonSchema[] {
  return (Object.keys(eventCatalog) as EventType[]).map((type) => {
    const { summary, payload } = eventCatalog[type];
    const body = payloadJsonSchema(payload, 'draft-2020-12');
    // Identity first: readers (and `$ref` resolvers) look for `$id` at the top.
    const schema: JsonObject = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: eventSchemaId(type),
      $comment: `Generated from libs/contracts/src/events/catalog.ts; do not edit, run \`${EVENT_DOCS_COMMAND}\`.`,
      title: eventTitle(type),
      description: summary,
    };
    for (const [key, value] of Object.entries(body)) if (!(key in schema)) schema[key] = value;
    return { type, fileName: eventSchemaFileName(type), schema };
  });
}
