import { Document } from 'yaml';
import type { z } from 'zod';
import { ServiceName } from '../domain';
import { eventCatalog, eventTypesOf, secretFieldsOf, type EventType } from '../events/catalog';
import { deadLetterTopic, eventSubscriptions, Topics } from '../events/topics';
import { cloudEventHeaders, deadLetterHeaders } from './headers';
import { payloadJsonSchema, type JsonObject, type JsonValue } from './json-schema-utils';
import { EVENT_DOCS_COMMAND, eventSchemaId, eventTitle, SCHEMA_BASE_URL } from './json-schemas';

/** Bump the minor version when events are added, the major one when a topic or type is retired. */
export const ASYNCAPI_DOCUMENT_VERSION = '1.0.0';

const services = Object.values(ServiceName);
const KAFKA_BINDING_VERSION = '0.5.0';
const CLOUDEVENTS_KAFKA_BINDING = 'https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md';

const eventsChannel = (service: ServiceName): string => `${service}Events`;
const deadLettersChannel = (service: ServiceName): string => `${service}DeadLetters`;
const deadLetterMessage = (type: EventType): string => `${type}.dead_letter`;
const capitalized = (word: string): string => `${word.charAt(0).toUpperCase()}${word.slice(1)}`;

function ref(...segments: string[]): JsonObject {
  // JSON Pointer escaping: today's ids have no "~" or "/", but one that did would break the pointer.
  return { $ref: `#/${segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}` };
}

function consumedTypes(consumer: ServiceName): EventType[] {
  return eventSubscriptions[consumer].flatMap((producer) => eventTypesOf(producer));
}

function kafkaKeyBinding(): JsonObject {
  return {
    kafka: {
      key: { type: 'string', format: 'uuid', description: 'The organization id, so that all events of one organization stay ordered.' },
      bindingVersion: KAFKA_BINDING_VERSION,
    },
  };
}

function eventMessage(type: EventType): JsonObject {
  const { producer, summary, payload } = eventCatalog[type];
  // AsyncAPI 3.0 schemas are a draft-07 superset; the draft 2020-12 files in docs/events/ are
  // linked through x-json-schema-id instead of embedded: AsyncAPI 3.0 has no 2020-12 schema format.
  const { $schema: _draft, ...body } = payloadJsonSchema(payload, 'draft-07');
  return {
    name: type,
    title: eventTitle(type),
    summary,
    contentType: 'application/json',
    headers: headersSchema(cloudEventHeaders(type, producer)),
    payload: { title: eventTitle(type), description: summary, 'x-json-schema-id': eventSchemaId(type), ...body },
    correlationId: { description: 'W3C trace context of the producing operation.', location: '$message.header#/traceparent' },
    bindings: kafkaKeyBinding(),
    tags: [{ name: producer }, ...(secretFieldsOf(type).length > 0 ? [{ name: 'contains-secret' }] : [])],
    externalDocs: { description: 'CloudEvents Kafka protocol binding (binary content mode)', url: CLOUDEVENTS_KAFKA_BINDING },
  };
}

function deadLetter(type: EventType): JsonObject {
  const { producer, summary } = eventCatalog[type];
  return {
    name: type,
    title: `${eventTitle(type)}, dead-lettered`,
    summary: `${summary} Parked by a consumer that could not process it.`,
    contentType: 'application/json',
    headers: headersSchema(deadLetterHeaders(type, producer)),
    payload: ref('components', 'messages', type, 'payload'),
    bindings: kafkaKeyBinding(),
    tags: [{ name: producer }, { name: 'dead-letter' }],
  };
}

function headersSchema(schema: z.ZodType): JsonObject {
  const { $schema: _draft, ...body } = payloadJsonSchema(schema, 'draft-07');
  return body;
}

function channelMessages(types: EventType[], messageId: (type: EventType) => string): JsonObject {
  return Object.fromEntries(types.map((type) => [type, ref('components', 'messages', messageId(type))]));
}

function operationMessages(channel: string, types: EventType[]): JsonValue[] {
  return types.map((type) => ref('channels', channel, 'messages', type));
}

function channels(): JsonObject {
  const result: JsonObject = {};
  for (const service of services) {
    result[eventsChannel(service)] = {
      address: Topics[service],
      title: `${capitalized(service)} events`,
      description: `Everything the ${service} service publishes, keyed by organization id.`,
      messages: channelMessages(eventTypesOf(service), (type) => type),
    };
  }
  for (const consumer of services) {
    result[deadLettersChannel(consumer)] = {
      address: deadLetterTopic(consumer),
      title: `${capitalized(consumer)} dead letters`,
      description:
        `Messages the ${consumer} service could not process, with their original key, value and headers plus ` +
        'the dlq_* error headers. `npm run dlq:replay` puts them back on their original topic.',
      messages: channelMessages(consumedTypes(consumer), deadLetterMessage),
    };
  }
  return result;
}

function operations(): JsonObject {
  const result: JsonObject = {};
  for (const producer of services) {
    const channel = eventsChannel(producer);
    result[`${producer}.sendEvents`] = {
      action: 'send',
      channel: ref('channels', channel),
      summary: `The ${producer} service publishes its events.`,
      messages: operationMessages(channel, eventTypesOf(producer)),
      tags: [{ name: producer }],
    };
  }
  for (const consumer of services) {
    for (const producer of eventSubscriptions[consumer]) {
      const channel = eventsChannel(producer);
      result[`${consumer}.receive${capitalized(producer)}Events`] = {
        action: 'receive',
        channel: ref('channels', channel),
        summary: `The ${consumer} service consumes the ${producer} events.`,
        messages: operationMessages(channel, eventTypesOf(producer)),
        tags: [{ name: consumer }],
      };
    }
    if (eventSubscriptions[consumer].length > 0) {
      const channel = deadLettersChannel(consumer);
      result[`${consumer}.sendDeadLetters`] = {
        action: 'send',
        channel: ref('channels', channel),
        summary: `The ${consumer} service parks the messages it could not process.`,
        messages: operationMessages(channel, consumedTypes(consumer)),
        tags: [{ name: consumer }, { name: 'dead-letter' }],
      };
    }
  }
  return result;
}

const DESCRIPTION = `Events the offboarding services exchange over Kafka.

Every message is a CloudEvents 1.0 event in Kafka **binary content mode**: the CloudEvents
attributes travel as \`ce_*\` headers, the message value is the JSON payload and the message key
is the organization id (also \`ce_subject\`), so the events of one organization stay ordered.
Each producing service owns one topic; each consuming service parks what it cannot process in
its own dead-letter topic, with the original headers plus \`dlq_*\` error headers.

Payload JSON Schemas (draft 2020-12) are published per event type under
${SCHEMA_BASE_URL}<type>.json; everything here is generated from
libs/contracts/src/events/catalog.ts by \`${EVENT_DOCS_COMMAND}\`.`;

export function buildAsyncApiDocument(): JsonObject {
  const messages: JsonObject = {};
  for (const type of Object.keys(eventCatalog) as EventType[]) messages[type] = eventMessage(type);
  for (const type of Object.keys(eventCatalog) as EventType[]) messages[deadLetterMessage(type)] = deadLetter(type);
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Offboarding platform events',
      version: ASYNCAPI_DOCUMENT_VERSION,
      description: DESCRIPTION,
      tags: [
        ...services.map((service) => ({ name: service, description: `Owned by the ${service} service.` })),
        { name: 'dead-letter', description: 'Messages a consumer could not process.' },
        {
          name: 'contains-secret',
          description: 'The payload carries a secret (fields marked x-secret): meant for the notification service that delivers it; never store or log those fields.',
        },
      ],
    },
    defaultContentType: 'application/json',
    servers: {
      production: {
        host: '{bootstrapServer}',
        protocol: 'kafka',
        description: 'Production cluster; the bootstrap broker is supplied by the deployment.',
        variables: {
          bootstrapServer: {
            description: 'host:port of a bootstrap broker.',
            examples: ['kafka-0.offboarding.internal:9092'],
          },
        },
      },
      development: {
        host: 'localhost:9092',
        protocol: 'kafka',
        description: 'The local dev broker started by `npm run broker`.',
      },
    },
    channels: channels(),
    operations: operations(),
    components: { messages },
  };
}

export function renderAsyncApiYaml(): string {
  // Without aliasDuplicateObjects: false, yaml would turn shared sub-objects into anchors.
  const document = new Document(buildAsyncApiDocument(), { aliasDuplicateObjects: false });
  document.commentBefore = ` Generated from libs/contracts/src/events/catalog.ts; do not edit, run \`${EVENT_DOCS_COMMAND}\`.`;
  // lineWidth 0 disables folding, so long patterns and descriptions never re-wrap between runs.
  return document.toString({ lineWidth: 0 });
}
