import { spawn } from 'node:child_process';
import { logLevel, Partitioners } from 'kafkajs';
import { createKafka, createOutboxProducer } from '@offboarding/messaging';
(async () => {
  const kcat = spawn('kcat', ['-C', '-b', 'unused:9092', '-X', 'test.mock.num.brokers=3', '-t', 'keepalive', '-d', 'mock', '-q', '-o', 'end'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const brokers = await new Promise<string[]>((resolve) => { let buf = ''; kcat.stderr.on('data', (d) => { buf += d; const m = /bootstrap\.servers=(\S+)/.exec(buf); if (m) resolve(m[1].split(',')); }); });
  kcat.stderr.resume();
  const log = { debug() {}, info() {}, warn: (o: object, m?: string) => console.log('warn', m), error: (o: object, m?: string) => console.log('error', m, JSON.stringify(o).slice(0, 200)) };
  const kafka = createKafka({ clientId: 't', brokers, logger: log, logLevel: logLevel.WARN });
  const admin = kafka.admin(); await admin.connect();
  console.log('topics', await admin.listTopics());
  try { await admin.createTopics({ topics: [{ topic: 'x1', numPartitions: 3 }], waitForLeaders: true }); console.log('created'); } catch (e) { console.log('createTopics failed:', (e as Error).message); }
  const p = createOutboxProducer(kafka);
  try { await p.connect(); await p.sendBatch({ acks: -1, topicMessages: [{ topic: 'offboarding.entitlements.v1', messages: [{ key: 'k', value: 'v' }] }] }); console.log('sent idempotent'); } catch (e) { console.log('idempotent send failed:', (e as Error).message); }
  const c = kafka.consumer({ groupId: 'g1' });
  await c.connect(); await c.subscribe({ topics: ['offboarding.entitlements.v1'], fromBeginning: true });
  let got = 0; await c.run({ eachMessage: async () => { got++; } });
  for (let i = 0; i < 100 && got === 0; i++) await new Promise((r) => setTimeout(r, 100));
  console.log('consumed', got);
  console.log('offsets', JSON.stringify(await admin.fetchOffsets({ groupId: 'g1', topics: ['offboarding.entitlements.v1'] })));
  await c.disconnect(); await p.disconnect(); await admin.disconnect(); kcat.kill();
})();
