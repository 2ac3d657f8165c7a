import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { fromKafkaMessage, type ReceivedEvent } from '@offboarding/messaging';

/** What an event consumer sees: every event of the topics, as they arrive, in a group of its own. */
export interface EventLog {
  readonly events: ReceivedEvent[];
  stop(): Promise<void>;
}

export async function readEvents(brokers: string, topics: string[], clientId: string): Promise<EventLog> {
  const kafka = new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${clientId}-${randomUUID()}` });
  const events: ReceivedEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      events.push(fromKafkaMessage({ key: message.key, value: message.value, headers: message.headers }));
      await Promise.resolve();
    },
  });
  return { events, stop: () => consumer.disconnect() };
}
