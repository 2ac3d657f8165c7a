import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { startDevBroker, type DevBroker, type DevBrokerOptions } from '@offboarding/dev-broker';
import { createTestCertificates, describeWithKcat, runKcat, type TestCertificates } from '@offboarding/testing';
import { createKafka, createOutboxProducer } from '../kafka';
import { describeKafkaSecurity, kafkaSecurityFromEnv, KafkaSettingsError, verifyKafkaConnection } from '../kafka-security';
import { recordingLogger } from './messaging-test-kit';

jest.setTimeout(60_000);

const USER = 'offboarding-entitlements';
const PASSWORD = 'n0t-in-any-log:4a7f9c2e';

/**
 * The services' Kafka settings (KAFKA_SSL_*, KAFKA_SASL_*) against the development broker in each
 * security mode: read from files as a mounted Secret provides them, checked at start-up, used by
 * the outbox producer, and what it wrote read back with kcat (librdkafka) under the same
 * credentials. Wrong credentials and certificates stop the start with the variable's name.
 */
describeWithKcat('Kafka TLS and SASL settings of the services', () => {
  let pki: TestCertificates;
  let secrets: string;
  let broker: DevBroker | undefined;

  beforeAll(async () => {
    pki = await createTestCertificates();
    secrets = path.join(pki.dir, 'secrets');
    await fs.mkdir(secrets);
    // As a Kubernetes Secret volume writes them: the value, often with a trailing newline.
    await fs.writeFile(path.join(secrets, 'username'), USER);
    await fs.writeFile(path.join(secrets, 'password'), `${PASSWORD}\n`);
    await fs.writeFile(path.join(secrets, 'key-password'), pki.encryptedClientKeyPassword);
  });
  afterEach(async () => {
    await broker?.close();
    broker = undefined;
  });
  afterAll(() => pki?.remove());

  const start = async (options: DevBrokerOptions) => (broker = await startDevBroker({ port: 0, ...options }));
  const brokerTls = (mutual = false, authority = pki.trusted) => ({
    cert: authority.server.cert,
    key: authority.server.key,
    ...(mutual ? { clientCa: pki.trusted.ca } : {}),
  });
  const sasl = { users: { [USER]: PASSWORD } };

  const cases: Array<{ name: string; broker: () => DevBrokerOptions; env: () => NodeJS.ProcessEnv; kcat: () => string[]; protocol: string }> = [
    {
      name: 'SSL with a custom CA',
      broker: () => ({ tls: brokerTls() }),
      env: () => ({ KAFKA_SSL_CA_FILE: pki.trusted.caFile }),
      kcat: () => ['-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${pki.trusted.caFile}`],
      protocol: 'SSL',
    },
    {
      name: 'mutual TLS with an encrypted client key',
      broker: () => ({ tls: brokerTls(true) }),
      env: () => ({
        KAFKA_SSL_CA_FILE: pki.trusted.caFile,
        KAFKA_SSL_CERT_FILE: pki.trusted.client.certFile,
        KAFKA_SSL_KEY_FILE: pki.encryptedClientKeyFile,
        KAFKA_SSL_KEY_PASSWORD_FILE: path.join(secrets, 'key-password'),
      }),
      kcat: () => [
        '-X', 'security.protocol=SSL',
        '-X', `ssl.ca.location=${pki.trusted.caFile}`,
        '-X', `ssl.certificate.location=${pki.trusted.client.certFile}`,
        '-X', `ssl.key.location=${pki.trusted.client.keyFile}`,
      ],
      protocol: 'SSL',
    },
    {
      name: 'SASL_PLAINTEXT with SCRAM-SHA-256, credentials from the environment',
      broker: () => ({ sasl }),
      env: () => ({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: PASSWORD }),
      kcat: () => ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=SCRAM-SHA-256', '-X', `sasl.username=${USER}`, '-X', `sasl.password=${PASSWORD}`],
      protocol: 'SASL_PLAINTEXT',
    },
    {
      name: 'SASL_SSL with SCRAM-SHA-512, credentials from files',
      broker: () => ({ tls: brokerTls(), sasl }),
      env: () => ({
        KAFKA_SSL_CA_FILE: pki.trusted.caFile,
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME_FILE: path.join(secrets, 'username'),
        KAFKA_SASL_PASSWORD_FILE: path.join(secrets, 'password'),
      }),
      kcat: () => [
        '-X', 'security.protocol=SASL_SSL',
        '-X', `ssl.ca.location=${pki.trusted.caFile}`,
        '-X', 'sasl.mechanisms=SCRAM-SHA-512', '-X', `sasl.username=${USER}`, '-X', `sasl.password=${PASSWORD}`,
      ],
      protocol: 'SASL_SSL',
    },
    {
      name: 'SASL_SSL with PLAIN',
      broker: () => ({ tls: brokerTls(), sasl }),
      env: () => ({ KAFKA_SSL: 'true', KAFKA_SSL_CA: pki.trusted.ca, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: PASSWORD }),
      kcat: () => [
        '-X', 'security.protocol=SASL_SSL', '-X', `ssl.ca.location=${pki.trusted.caFile}`,
        '-X', 'sasl.mechanisms=PLAIN', '-X', `sasl.username=${USER}`, '-X', `sasl.password=${PASSWORD}`,
      ],
      protocol: 'SASL_SSL',
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s: checked at start-up, used by the outbox producer, readable with kcat', async (_name, testCase) => {
    const { brokers } = await start(testCase.broker());
    const logger = recordingLogger();
    const security = kafkaSecurityFromEnv(testCase.env(), { production: true });
    expect(describeKafkaSecurity(security).securityProtocol).toBe(testCase.protocol);
    const kafka = createKafka({ clientId: 'security-test', brokers: [brokers], logger, security });
    await verifyKafkaConnection(kafka, security, [brokers]);

    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'offboarding.entitlements.v1', numPartitions: 3 }] });
    await admin.disconnect();
    const producer = createOutboxProducer(kafka);
    await producer.connect();
    await producer.send({ topic: 'offboarding.entitlements.v1', acks: -1, messages: [{ key: 'org-1', value: '{"entitlementId":"e-1"}', headers: { ce_type: 'test' } }] });
    await producer.disconnect();

    const read = await runKcat(['-b', brokers, ...testCase.kcat(), '-C', '-t', 'offboarding.entitlements.v1', '-o', 'beginning', '-e', '-f', '%k %s %h\n']);
    expect({ code: read.code, out: read.stdout.trim() }).toEqual({ code: 0, out: 'org-1 {"entitlementId":"e-1"} ce_type=test' });

    const logged = JSON.stringify(logger.entries);
    expect(logged).not.toContain(PASSWORD);
    expect(`${inspect(security, { depth: 5 })} ${JSON.stringify(security)}`).not.toMatch(new RegExp(`${PASSWORD}|BEGIN (EC |ENCRYPTED )?PRIVATE KEY`));
  });

  describe('start-up errors name the setting', () => {
    const fail = async (options: DevBrokerOptions, env: NodeJS.ProcessEnv): Promise<string> => {
      const { brokers } = await start(options);
      const security = kafkaSecurityFromEnv(env);
      const logger = recordingLogger();
      const kafka = createKafka({ clientId: 'security-test', brokers: [brokers], logger, security, retry: { retries: 0 }, connectionTimeout: 3_000 });
      const error = await verifyKafkaConnection(kafka, security, [brokers]).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(KafkaSettingsError);
      expect(JSON.stringify(logger.entries)).not.toContain(PASSWORD);
      return (error as Error).message;
    };

    it('wrong SCRAM password', async () => {
      const message = await fail({ tls: brokerTls(), sasl }, { KAFKA_SSL_CA_FILE: pki.trusted.caFile, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: 'wrong' });
      expect(message).toMatch(/^KAFKA_SASL_USERNAME \/ KAFKA_SASL_PASSWORD: the broker refused the credentials of "offboarding-entitlements" \(.*invalid credentials/);
      expect(message).not.toContain('wrong');
    });

    it('a mechanism the broker does not offer', async () => {
      const message = await fail({ sasl: { ...sasl, mechanisms: ['SCRAM-SHA-512'] } }, { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: PASSWORD });
      expect(message).toMatch(/^KAFKA_SASL_MECHANISM: the broker does not offer PLAIN/);
    });

    it('a broker certificate from a CA the service does not trust', async () => {
      const message = await fail({ tls: brokerTls(false, pki.untrusted) }, { KAFKA_SSL_CA_FILE: pki.trusted.caFile });
      expect(message).toMatch(/^KAFKA_SSL_CA_FILE: the broker's certificate is not trusted \(.*(unable to verify|issuer)/i);
    });

    it('TLS without a CA setting against a private CA', async () => {
      const message = await fail({ tls: brokerTls() }, { KAFKA_SSL: 'true' });
      expect(message).toMatch(/^KAFKA_SSL_CA_FILE \(not set: only the system CAs are trusted\): the broker's certificate is not trusted/);
    });

    it('mutual TLS without a client certificate, and with one from an unknown CA', async () => {
      expect(await fail({ tls: brokerTls(true) }, { KAFKA_SSL_CA_FILE: pki.trusted.caFile })).toMatch(
        /^KAFKA_SSL_CERT_FILE \/ KAFKA_SSL_KEY_FILE: the broker requires a client certificate/,
      );
      await broker?.close();
      expect(
        await fail({ tls: brokerTls(true) }, { KAFKA_SSL_CA_FILE: pki.trusted.caFile, KAFKA_SSL_CERT_FILE: pki.untrusted.client.certFile, KAFKA_SSL_KEY_FILE: pki.untrusted.client.keyFile }),
      ).toMatch(/^KAFKA_SSL_CERT_FILE: .*does not accept the client certificate "CN=client"/);
    });

    it('TLS against a plaintext listener, and plain TCP against a TLS or SASL one', async () => {
      expect(await fail({}, { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: pki.trusted.caFile })).toMatch(/^KAFKA_SSL: the broker does not speak TLS/);
      await broker?.close();
      expect(await fail({ tls: brokerTls() }, {})).toMatch(/^KAFKA_SSL \/ KAFKA_SASL_MECHANISM: the broker closed the connection .*it probably requires TLS/);
      await broker?.close();
      expect(await fail({ sasl }, {})).toMatch(/^KAFKA_SSL \/ KAFKA_SASL_MECHANISM: the broker closed the connection .*SASL authentication/);
    });
  });

  it('refuses unusable settings before connecting, naming the variable', () => {
    const check = (env: NodeJS.ProcessEnv, production = false) => () => kafkaSecurityFromEnv(env, { production });
    expect(check({ KAFKA_SSL_CA_FILE: path.join(pki.dir, 'missing.crt') })).toThrow(/^KAFKA_SSL_CA_FILE: cannot read .*missing\.crt \(ENOENT\)/);
    expect(check({ KAFKA_SSL_CA_FILE: pki.trusted.server.keyFile })).toThrow(/^KAFKA_SSL_CA_FILE: no PEM certificate/);
    expect(check({ KAFKA_SSL_CERT_FILE: pki.trusted.client.certFile })).toThrow(/^KAFKA_SSL_KEY_FILE: required with KAFKA_SSL_CERT_FILE/);
    expect(check({ KAFKA_SSL_CERT_FILE: pki.trusted.client.certFile, KAFKA_SSL_KEY_FILE: pki.untrusted.client.keyFile })).toThrow(
      /^KAFKA_SSL_KEY_FILE: the key does not belong to the certificate in KAFKA_SSL_CERT_FILE/,
    );
    expect(check({ KAFKA_SSL_CERT_FILE: pki.trusted.client.certFile, KAFKA_SSL_KEY_FILE: pki.encryptedClientKeyFile, KAFKA_SSL_KEY_PASSWORD: 'wrong' })).toThrow(
      /^KAFKA_SSL_KEY_PASSWORD: cannot decrypt KAFKA_SSL_KEY_FILE/,
    );
    expect(check({ KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: pki.trusted.caFile })).toThrow(/^KAFKA_SSL: false, but KAFKA_SSL_CA_FILE is set/);
    expect(check({ KAFKA_SSL: 'yes' })).toThrow(/^KAFKA_SSL: must be true or false/);
    expect(check({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/^KAFKA_SASL_MECHANISM: must be one of plain, scram-sha-256, scram-sha-512/);
    expect(check({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: USER })).toThrow(/^KAFKA_SASL_PASSWORD: required/);
    expect(check({ KAFKA_SASL_PASSWORD: PASSWORD })).toThrow(/^KAFKA_SASL_MECHANISM: required with KAFKA_SASL_PASSWORD/);
    expect(check({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: PASSWORD, KAFKA_SASL_PASSWORD_FILE: '/x' })).toThrow(
      /^KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE: set one of them, not both/,
    );
    expect(check({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: PASSWORD }, true)).toThrow(/^KAFKA_SASL_MECHANISM: plain sends the password in clear text/);
    expect(check({ KAFKA_SSL_CA_FILE: pki.trusted.caFile }, false)).not.toThrow();
    expect(() => kafkaSecurityFromEnv({ KAFKA_SSL_CA_FILE: pki.trusted.caFile }, { now: new Date(Date.now() + 3 * 86_400_000) })).toThrow(/^KAFKA_SSL_CA_FILE: the certificate "CN=trusted test CA" expired on/);
  });
});
