import { execFileSync } from 'node:child_process';

export interface KcatMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  headers: string[] | null;
}

/**
 * Reads a whole topic with kcat, the librdkafka client: proof that what we publish is real
 * Kafka, not only what kafkajs happens to understand. `settings` are kcat's `-X` options
 * (security protocol, CA, SASL credentials).
 */
export function readTopicWithKcat(brokers: string, topic: string, settings: string[] = []): KcatMessage[] {
  let output: string;
  try {
    output = execFileSync('kcat', ['-C', '-b', brokers, ...settings, '-t', topic, '-o', 'beginning', '-e', '-J', '-q'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('kcat is not installed: apt-get install -y kcat (the CI script does this)');
    }
    throw error;
  }
  return output
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as KcatMessage);
}

/** kcat -J lists headers as a flat [name, value, name, value…] array. */
export function headerMap(message: KcatMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  const flat = message.headers ?? [];
  for (let i = 0; i + 1 < flat.length; i += 2) headers[flat[i]] = flat[i + 1]!;
  return headers;
}
