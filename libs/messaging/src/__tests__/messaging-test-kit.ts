import type { Kafka, KafkaMessage } from 'kafkajs';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { openServiceDatabase, schemaOf, type ServiceDatabase } from '@offboarding/persistence';
import { testDatabaseTarget, uniqueSchema, waitFor } from '@offboarding/testing';
import { createKafka } from '../kafka';
import type { MessagingLogger } from '../logger';
import { MessagingTables1732000000000 } from '../messaging.migration';

// Shared by the integration specs: a migrated schema of its own, a kafkajs client tuned to
// notice a dead broker quickly, and a reader that collects what reached a topic.

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

export function recordingLogger(): MessagingLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (obj: object, msg?: string) => {
    entries.push({ level, obj, msg });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export async function openTestDatabase(
  prefix: string,
  migrations: (new () => MigrationInterface)[] = [],
): Promise<ServiceDatabase & { drop(): Promise<void> }> {
  const schema = uniqueSchema(prefix);
  const db = await openServiceDatabase({
    service: prefix,
    schema,
    entities: [],
    migrations: [MessagingTables1732000000000, ...migrations],
    migrate: true,
    target: testDatabaseTarget(),
  });
  return {
    ...db,
    async drop() {
      if (db.target.kind === 'postgres') await db.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
      await db.close();
    },
  };
}

export function testKafka(brokers: string, logger: MessagingLogger, clientId = 'messaging-test'): Kafka {
  return createKafka({
    clientId,
    brokers: [brokers],
    logger,
    connectionTimeout: 1_000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}

export interface ReadMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
  headers: Record<string, string>;
}

/** Collects everything published to some topics, from the beginning, under a group of its own. */
export async function topicReader(kafka: Kafka, topics: string[]) {
  const messages: ReadMessage[] = [];
  const consumer = kafka.consumer({ groupId: `reader-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 250 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ topic, partition, message }) => {
      const headers = Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
      );
      messages.push({ topic, partition, message, headers });
      return Promise.resolve();
    },
  });
  return {
    messages,
    /** Waits until at least `count` messages match. */
    async waitFor(count: number, match: (m: ReadMessage) => boolean = () => true, timeoutMs = 20_000) {
      return waitFor(() => {
        const found = messages.filter(match);
        return found.length >= count && found;
      }, { timeoutMs, description: `${count} message(s) on ${topics.join(', ')}` });
    },
    close: () => consumer.disconnect(),
  };
}

/** A table of notes: a change of the tests' own, committed with outbox events or on its own. */
export class CreateNotes1732000000001 implements MigrationInterface {
  name = 'CreateNotes1732000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ${schemaOf(q)}.notes (id serial PRIMARY KEY, body text NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${schemaOf(q)}.notes`);
  }
}
