import type { Consumer, KafkaConfig, SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import { createTestCertificates, describeWithKcat, type TestCertificates } from '@offboarding/testing';
import type { DevBrokerOptions } from '../index';
import { FAST_CONSUMER, kafkaClient, removeDir, requireKcat, runKcat, startTestBroker, waitFor, type TestBroker } from './support/harness';

jest.setTimeout(60_000);

const USER = 'offboarding-entitlements';
const PASSWORD = 'correct horse battery staple';
const SASL = { users: { [USER]: PASSWORD, other: 'another-password' } };

interface Mode {
  name: string;
  broker: (pki: TestCertificates) => DevBrokerOptions;
  kafkajs: (pki: TestCertificates) => Pick<KafkaConfig, 'ssl' | 'sasl'>;
  kcat: (pki: TestCertificates) => string[];
}

const tlsBroker = (pki: TestCertificates, mutual = false): DevBrokerOptions['tls'] => ({
  cert: pki.trusted.server.cert,
  key: pki.trusted.server.key,
  ...(mutual ? { clientCa: pki.trusted.ca } : {}),
});
const tlsClient = (pki: TestCertificates, mutual = false): ConnectionOptions => ({
  ca: [pki.trusted.ca],
  ...(mutual ? { cert: pki.trusted.client.cert, key: pki.trusted.client.key } : {}),
});
const kcatTls = (pki: TestCertificates, mutual = false): string[] => [
  '-X',
  `ssl.ca.location=${pki.trusted.caFile}`,
  ...(mutual ? ['-X', `ssl.certificate.location=${pki.trusted.client.certFile}`, '-X', `ssl.key.location=${pki.trusted.client.keyFile}`] : []),
];
const kcatSasl = (mechanism: string, password = PASSWORD): string[] => ['-X', `sasl.mechanisms=${mechanism}`, '-X', `sasl.username=${USER}`, '-X', `sasl.password=${password}`];
const sasl = (mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512', password = PASSWORD): SASLOptions =>
  ({ mechanism, username: USER, password });

const MODES: Mode[] = [
  {
    name: 'SSL with a custom CA',
    broker: (pki) => ({ tls: tlsBroker(pki) }),
    kafkajs: (pki) => ({ ssl: tlsClient(pki) }),
    kcat: (pki) => ['-X', 'security.protocol=SSL', ...kcatTls(pki)],
  },
  {
    name: 'mutual TLS (client certificate)',
    broker: (pki) => ({ tls: tlsBroker(pki, true) }),
    kafkajs: (pki) => ({ ssl: tlsClient(pki, true) }),
    kcat: (pki) => ['-X', 'security.protocol=SSL', ...kcatTls(pki, true)],
  },
  {
    name: 'SASL_PLAINTEXT with PLAIN',
    broker: () => ({ sasl: SASL }),
    kafkajs: () => ({ sasl: sasl('plain') }),
    kcat: () => ['-X', 'security.protocol=SASL_PLAINTEXT', ...kcatSasl('PLAIN')],
  },
  {
    name: 'SASL_PLAINTEXT with SCRAM-SHA-256',
    broker: () => ({ sasl: SASL }),
    kafkajs: () => ({ sasl: sasl('scram-sha-256') }),
    kcat: () => ['-X', 'security.protocol=SASL_PLAINTEXT', ...kcatSasl('SCRAM-SHA-256')],
  },
  {
    name: 'SASL_SSL with SCRAM-SHA-512',
    broker: (pki) => ({ tls: tlsBroker(pki), sasl: SASL }),
    kafkajs: (pki) => ({ ssl: tlsClient(pki), sasl: sasl('scram-sha-512') }),
    kcat: (pki) => ['-X', 'security.protocol=SASL_SSL', ...kcatTls(pki), ...kcatSasl('SCRAM-SHA-512')],
  },
  {
    name: 'SASL_SSL with PLAIN and mutual TLS',
    broker: (pki) => ({ tls: tlsBroker(pki, true), sasl: SASL }),
    kafkajs: (pki) => ({ ssl: tlsClient(pki, true), sasl: sasl('plain') }),
    kcat: (pki) => ['-X', 'security.protocol=SASL_SSL', ...kcatTls(pki, true), ...kcatSasl('PLAIN')],
  },
];

/**
 * The development broker's TLS listener and SASL authentication against two independent clients:
 * kafkajs (what the services use) and librdkafka through kcat. Certificates come from a
 * throwaway CA made by the test with openssl.
 */
describeWithKcat('dev broker security: TLS, mutual TLS and SASL (PLAIN, SCRAM) with kafkajs and kcat', () => {
  let pki: TestCertificates;
  let env: TestBroker | undefined;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    requireKcat();
    pki = await createTestCertificates();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.disconnect()));
    if (env) {
      await env.broker.close();
      await removeDir(env.dataDir);
      env = undefined;
    }
  });

  afterAll(async () => {
    await pki?.remove();
  });

  const start = async (options: DevBrokerOptions): Promise<TestBroker> => (env = await startTestBroker(options));

  it.each(MODES.map((mode) => [mode.name, mode] as const))('%s: kafkajs and kcat produce, consume and join groups', async (_name, mode) => {
    const { broker } = await start(mode.broker(pki));
    const kafka = kafkaClient(broker.brokers, 'security-test', mode.kafkajs(pki));
    const topic = 'secured';
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 4 }, (_, i) => ({ key: `k${i}`, value: `from-kafkajs-${i}` })) });
    await producer.disconnect();

    const kcat = (...args: string[]) => ['-b', broker.brokers, ...mode.kcat(pki), ...args];
    const read = await runKcat(kcat('-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%s\n'));
    expect({ code: read.code, stderr: read.stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/error|fail/i) });
    expect(read.stdout.trim().split('\n').sort()).toEqual(['from-kafkajs-0', 'from-kafkajs-1', 'from-kafkajs-2', 'from-kafkajs-3']);

    const written = await runKcat(kcat('-P', '-t', topic, '-K', ':'), 'a:from-kcat-0\nb:from-kcat-1\n');
    expect({ code: written.code, stderr: written.stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/error|fail/i) });

    const received: string[] = [];
    const consumer = kafka.consumer({ groupId: 'secured-readers', ...FAST_CONSUMER });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: ({ message }) => Promise.resolve(void received.push(message.value?.toString() ?? '')) });
    await waitFor('kafkajs to read the six records through its group', () => received.length >= 6);
    expect(received.sort()).toEqual(['from-kafkajs-0', 'from-kafkajs-1', 'from-kafkajs-2', 'from-kafkajs-3', 'from-kcat-0', 'from-kcat-1']);
  });

  describe('refusals', () => {
    const noRetry = { retry: { retries: 0 }, connectionTimeout: 3_000 } as const;

    it('refuses a wrong SCRAM password (kafkajs and kcat) and an unknown PLAIN user, saying why', async () => {
      const { broker } = await start({ tls: tlsBroker(pki), sasl: SASL });
      const wrong = kafkaClient(broker.brokers, 'wrong', { ...noRetry, ssl: tlsClient(pki), sasl: sasl('scram-sha-512', 'not the password') }).admin();
      await expect(wrong.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed: .*invalid credentials with SASL mechanism SCRAM-SHA-512/);
      const unknown = kafkaClient(broker.brokers, 'unknown', { ...noRetry, ssl: tlsClient(pki), sasl: { mechanism: 'plain', username: 'nobody', password: 'x' } }).admin();
      await expect(unknown.connect()).rejects.toThrow(/Invalid username or password/);

      const kcat = await runKcat(['-b', broker.brokers, '-X', 'security.protocol=SASL_SSL', ...kcatTls(pki), ...kcatSasl('SCRAM-SHA-512', 'not the password'), '-L', '-m', '5']);
      expect(kcat.code).not.toBe(0);
      expect(kcat.stderr).toMatch(/Authentication failed/);
    });

    it('serves nothing but the SASL handshake before authentication', async () => {
      const { broker } = await start({ sasl: SASL });
      const anonymous = kafkaClient(broker.brokers, 'anonymous', noRetry).admin();
      // ApiVersions is answered (connect succeeds); Metadata before authenticating closes the connection.
      await anonymous.connect();
      await expect(anonymous.listTopics()).rejects.toThrow(/closed|disconnected/i);
      await anonymous.disconnect();
      const kcat = await runKcat(['-b', broker.brokers, '-L', '-m', '3']);
      expect(kcat.code).not.toBe(0);
    });

    it('is not trusted by a client without its CA, and refuses clients without a trusted certificate under mutual TLS', async () => {
      const { broker } = await start({ tls: tlsBroker(pki, true) });
      // Node's default trust store does not know the throwaway CA.
      const distrustful = kafkaClient(broker.brokers, 'distrustful', { ...noRetry, ssl: { cert: pki.trusted.client.cert, key: pki.trusted.client.key } }).admin();
      await expect(distrustful.connect()).rejects.toThrow(/self[- ]signed certificate|unable to (get local issuer|verify)/i);
      const anonymous = kafkaClient(broker.brokers, 'no-certificate', { ...noRetry, ssl: tlsClient(pki) }).admin();
      await expect(anonymous.connect()).rejects.toThrow();
      const stranger = kafkaClient(broker.brokers, 'stranger', {
        ...noRetry,
        ssl: { ca: [pki.trusted.ca], cert: pki.untrusted.client.cert, key: pki.untrusted.client.key },
      }).admin();
      await expect(stranger.connect()).rejects.toThrow();

      const kcat = await runKcat(['-b', broker.brokers, '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${pki.untrusted.caFile}`, '-L', '-m', '5']);
      expect(kcat.code).not.toBe(0);
      expect(kcat.stderr).toMatch(/certificate verify failed|SSL handshake failed/i);
    });
  });
});
