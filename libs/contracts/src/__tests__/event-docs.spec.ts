import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { ServiceName } from '../domain';
import { buildAsyncApiDocument, renderAsyncApiYaml } from '../docs/asyncapi';
import { eventSubscriptions } from '../events/topics';
import { describeDrift, eventDocsDrift, generateEventDocs, hasDrift } from '../docs/event-docs';
import type { JsonObject, JsonValue } from '../docs/json-schema-utils';
import { EVENT_DOCS_COMMAND, eventJsonSchemas, eventSchemaId } from '../docs/json-schemas';
import { eventCatalog, eventTypesOf, isEventType, parsePayload, type EventType } from '../events/catalog';
import { deadLetterTopic, Topics } from '../events/topics';
import { validPayloads } from './event-samples';

const root = resolve(__dirname, '../../../..');
const eventTypes = Object.keys(eventCatalog) as EventType[];
const services = Object.values(ServiceName);

function asObject(value: JsonValue | undefined): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`not an object: ${JSON.stringify(value)}`);
  return value;
}

function firstDifference(expected: string, actual: string): string {
  const want = expected.split('\n');
  const got = actual.split('\n');
  const line = want.findIndex((text, index) => text !== got[index]);
  const at = line === -1 ? want.length : line;
  return `  first difference at line ${at + 1}:\n    expected: ${want[at] ?? '<end of file>'}\n    actual:   ${got[at] ?? '<end of file>'}`;
}

describe('checked-in event docs', () => {
  it('match the event catalog', () => {
    const expected = generateEventDocs();
    const drift = eventDocsDrift(root, expected);
    if (hasDrift(drift)) {
      const details = drift.stale.map((path) => {
        const content = expected.find((file) => file.path === path)?.content ?? '';
        return `${path}\n${firstDifference(content, readFileSync(join(root, path), 'utf8'))}`;
      });
      throw new Error(
        `docs/events/*.schema.json or docs/asyncapi.yaml no longer match libs/contracts/src/events/catalog.ts.\n` +
          `Run \`${EVENT_DOCS_COMMAND}\` and commit the result.\n\n${describeDrift(drift)}\n\n${details.join('\n')}`,
      );
    }
  });

  it('are generated deterministically', () => {
    expect(generateEventDocs()).toEqual(generateEventDocs());
  });

  it('include one schema file per event type and the AsyncAPI document', () => {
    const paths = generateEventDocs().map((file) => file.path);
    expect(paths).toEqual([...eventTypes.map((type) => `docs/events/${type}.schema.json`), 'docs/asyncapi.yaml']);
    expect(paths.every((path) => existsSync(join(root, path)))).toBe(true);
  });
});

describe('AsyncAPI document', () => {
  it('is valid according to @asyncapi/parser', async () => {
    const diagnostics = await new Parser().validate(renderAsyncApiYaml());
    // The parser and spectral-core each bring their own copy of @stoplight/types, so the two
    // DiagnosticSeverity enums are distinct types with the same values: compare numbers.
    const errors = diagnostics.filter((diagnostic) => Number(diagnostic.severity) === Number(DiagnosticSeverity.Error));
    const printed = errors.map((error) => `${error.code}: ${error.message} at ${error.path.join('/')}`);
    expect(printed).toEqual([]);
  }, 60_000);

  const document = buildAsyncApiDocument();
  const channels = asObject(document.channels);
  const operations = asObject(document.operations);
  const messages = asObject(asObject(document.components).messages);

  it('is AsyncAPI 3.0.0 with a production and a development server', () => {
    expect(document.asyncapi).toBe('3.0.0');
    expect(asObject(document.info).title).toBe('Offboarding platform events');
    expect(Object.keys(asObject(document.servers))).toEqual(['production', 'development']);
    expect(asObject(asObject(document.servers).development).host).toBe('localhost:9092');
  });

  it('has one channel per topic carrying every type its producer publishes', () => {
    for (const service of services) {
      const channel = asObject(channels[`${service}Events`]);
      expect(channel.address).toBe(Topics[service]);
      expect(Object.keys(asObject(channel.messages))).toEqual(eventTypesOf(service));
    }
  });

  it('has a dead-letter channel per consumer carrying what that consumer reads', () => {
    for (const consumer of services) {
      const channel = asObject(channels[`${consumer}DeadLetters`]);
      expect(channel.address).toBe(deadLetterTopic(consumer));
      const consumed = eventSubscriptions[consumer].flatMap((producer) => eventTypesOf(producer));
      expect(Object.keys(asObject(channel.messages))).toEqual(consumed);
    }
  });

  it('sends on every topic and receives where the known consumers subscribe', () => {
    const receives = Object.entries(operations)
      .filter(([, operation]) => asObject(operation).action === 'receive')
      .map(([id]) => id);
    expect(receives.sort()).toEqual(
      [
        'entitlements.receiveRetentionEvents',
        'provisioning.receiveEntitlementsEvents',
        'provisioning.receiveRetentionEvents',
        'identity.receiveEntitlementsEvents',
        'identity.receiveRetentionEvents',
        'retention.receiveEntitlementsEvents',
        'retention.receiveProvisioningEvents',
        'retention.receiveIdentityEvents',
      ].sort(),
    );
    for (const service of services) {
      expect(asObject(operations[`${service}.sendEvents`])).toMatchObject({
        action: 'send',
        channel: { $ref: `#/channels/${service}Events` },
      });
    }
  });

  it.each(eventTypes)('describes %s as a CloudEvents binary-mode Kafka message', (type) => {
    const message = asObject(messages[type]);
    expect(message).toMatchObject({
      name: type,
      summary: eventCatalog[type].summary,
      contentType: 'application/json',
      bindings: { kafka: { key: { type: 'string', format: 'uuid' } } },
    });
    const headers = asObject(message.headers);
    expect(asObject(headers.properties)).toMatchObject({
      ce_type: { const: type },
      ce_source: { const: `/offboarding/${eventCatalog[type].producer}` },
      ce_specversion: { const: '1.0' },
      'content-type': { const: 'application/json' },
    });
    expect(headers.required).toEqual(['ce_id', 'ce_source', 'ce_type', 'ce_time', 'ce_specversion', 'ce_subject', 'content-type']);
    expect(asObject(message.payload)['x-json-schema-id']).toBe(eventSchemaId(type));

    const deadLetter = asObject(messages[`${type}.dead_letter`]);
    expect(Object.keys(asObject(asObject(deadLetter.headers).properties))).toEqual(
      expect.arrayContaining([
        'ce_type',
        'dlq_error',
        'dlq_error_type',
        'dlq_original_topic',
        'dlq_original_partition',
        'dlq_original_offset',
        'dlq_attempts',
        'dlq_failed_at',
      ]),
    );
  });
});

describe('payload JSON Schemas', () => {
  const schemas = eventJsonSchemas();
  // Formats are annotations in draft 2020-12 and many validators ignore them, so the schemas
  // must reject malformed ids and timestamps through their patterns alone.
  const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
  // Our one extension keyword: a field that carries a secret (see secretFieldsOf).
  ajv.addKeyword({ keyword: 'x-secret', schemaType: 'boolean' });
  const validators = new Map<EventType, ValidateFunction>(schemas.map(({ type, schema }) => [type, ajv.compile(schema)]));

  interface Variant {
    label: string;
    payload: Record<string, unknown>;
  }

  function invalidVariants(type: EventType): Variant[] {
    const schema = schemas.find((entry) => entry.type === type)!.schema;
    const properties = asObject(schema.properties);
    const valid: Record<string, unknown> = { ...validPayloads[type] };
    const variants: Variant[] = [{ label: 'extra property', payload: { ...valid, unexpected: 'value' } }];
    for (const field of schema.required as string[]) {
      const { [field]: _dropped, ...rest } = valid;
      variants.push({ label: `missing ${field}`, payload: rest });
    }
    for (const [field, property] of Object.entries(properties)) {
      const { enum: values, format } = asObject(property);
      if (Array.isArray(values)) variants.push({ label: `${field} outside its enum`, payload: { ...valid, [field]: 'NOT_A_VALUE' } });
      if (format === 'uuid') variants.push({ label: `${field} not a uuid`, payload: { ...valid, [field]: 'org-42' } });
      if (format === 'date-time') variants.push({ label: `${field} not a date-time`, payload: { ...valid, [field]: '2024-02-30T10:00:00Z' } });
    }
    return variants;
  }

  it('has a sample payload for every event type', () => {
    expect(Object.keys(validPayloads).sort()).toEqual([...eventTypes].sort());
  });

  it.each(schemas.map(({ type, fileName, schema }) => [type, fileName, schema] as const))(
    '%s has a versioned draft 2020-12 identity',
    (type, fileName, schema) => {
      expect(fileName).toBe(`${type}.schema.json`);
      expect(schema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: `https://schemas.offboarding.dev/events/${type}.json`,
        description: eventCatalog[type].summary,
        type: 'object',
        additionalProperties: false,
      });
      expect(typeof schema.title).toBe('string');
    },
  );

  it.each(eventTypes)('%s accepts its sample payload', (type) => {
    const validate = validators.get(type)!;
    expect(validate(validPayloads[type])).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    expect(() => parsePayload(type, validPayloads[type])).not.toThrow();
  });

  it.each(eventTypes)('%s rejects what zod rejects', (type) => {
    const variants = invalidVariants(type);
    const acceptedBySchema = variants.filter(({ payload }) => validators.get(type)!(payload)).map(({ label }) => label);
    const acceptedByZod = variants.filter(({ payload }) => eventCatalog[type].payload.safeParse(payload).success).map(({ label }) => label);
    expect(acceptedBySchema).toEqual([]);
    expect(acceptedByZod).toEqual([]);
  });

  it('exercises missing fields, wrong enums and extra properties', () => {
    const labels = eventTypes.flatMap((type) => invalidVariants(type).map(({ label }) => label));
    expect(labels).toEqual(expect.arrayContaining(['extra property', 'missing reason', 'reason outside its enum']));
  });
});

describe('naming conventions', () => {
  it.each(eventTypes)('%s is com.offboarding.<producer>.<snake_case_event>.v<N>', (type) => {
    const match = /^com\.offboarding\.([a-z]+)\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*\.v[1-9][0-9]*$/.exec(type);
    expect(match).not.toBeNull();
    expect(match![1]).toBe(eventCatalog[type].producer);
    expect(isEventType(type)).toBe(true);
  });

  it.each(Object.entries(Topics))('the %s topic is offboarding.<service>.v1', (service, topic) => {
    expect(topic).toBe(`offboarding.${service}.v1`);
    expect(topic).toMatch(/^offboarding\.[a-z]+\.v1$/);
  });
});
