import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { createTestCertificates, freePortBlock, kcatInstalled, type TestCertificates, waitFor } from '@offboarding/testing';
import { startStack, type RunningStack } from '../tools/stack';
import { graphql as graphqlAs, login, SEEDED_ADMIN } from './graphql-client';
import { headerMap, readTopicWithKcat } from './kcat';

const USER = 'offboarding-services';
const PASSWORD = 'sasl-ssl-e2e-password';

/**
 * The whole stack against the development broker in SASL_SSL mode (SCRAM-SHA-512 over TLS with a
 * throwaway CA): every service connects with the KAFKA_SSL_* / KAFKA_SASL_* settings an operator
 * would give it, events flow between the services, and kcat reads them with the same credentials.
 */
const describeWithKcat = process.env.CI || kcatInstalled() ? describe : describe.skip;

describeWithKcat('the stack on a SASL_SSL (SCRAM-SHA-512) Kafka', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-e2e-sasl-'));
  const logs: string[] = [];
  let pki: TestCertificates;
  let stack: RunningStack;
  let token = '';
  const graphql = <T>(query: string, variables: Record<string, unknown> = {}) => graphqlAs<T>(stack.graphqlUrl, query, variables, token);
  const kcatSettings = (password = PASSWORD) => [
    '-X', 'security.protocol=SASL_SSL',
    '-X', `ssl.ca.location=${pki.trusted.caFile}`,
    '-X', 'sasl.mechanisms=SCRAM-SHA-512',
    '-X', `sasl.username=${USER}`,
    '-X', `sasl.password=${password}`,
  ];

  beforeAll(async () => {
    pki = await createTestCertificates();
    const passwordFile = path.join(pki.dir, 'kafka-password');
    fs.writeFileSync(passwordFile, `${PASSWORD}\n`);
    const first = await freePortBlock(6);
    stack = await startStack({
      gatewayPort: first,
      firstServicePort: first + 1,
      brokerPort: first + 5,
      dataDir,
      env: {
        LOG_LEVEL: 'warn',
        KAFKA_BROKERS: '',
        DATABASE_URL: '',
        // The development broker's listener…
        KAFKA_DEV_TLS_CERT_FILE: pki.trusted.server.certFile,
        KAFKA_DEV_TLS_KEY_FILE: pki.trusted.server.keyFile,
        KAFKA_DEV_SASL_USERS: `${USER}:${PASSWORD}`,
        KAFKA_DEV_SASL_MECHANISMS: 'SCRAM-SHA-512',
        // …and the services' settings, the password from a file as a mounted Secret gives it.
        KAFKA_SSL_CA_FILE: pki.trusted.caFile,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: USER,
        KAFKA_SASL_PASSWORD_FILE: passwordFile,
      },
      onLog: (line) => logs.push(line),
    });
    token = await login(stack.graphqlUrl, SEEDED_ADMIN.email, SEEDED_ADMIN.password);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await pki?.remove();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (logs.length > 0) process.stderr.write(`stack warnings and errors:\n${logs.slice(-100).join('\n')}\n`);
  });

  it('moves a cancellation through every service over SASL_SSL, and kcat reads the events with the same credentials', async () => {
    const { createOrganization } = await graphql<{ createOrganization: { id: string } }>(
      'mutation { createOrganization(input: { name: "Secure GmbH", taxId: "DE999999999", type: CUSTOMER }) { id } }',
    );
    const organizationId = createOrganization.id;
    const { grantEntitlement } = await graphql<{ grantEntitlement: { id: string } }>(
      'mutation Grant($org: ID!) { grantEntitlement(input: { organizationId: $org, class: PLG, product: "SEO Plugin Pro" }) { id } }',
      { org: organizationId },
    );
    const licence = async () =>
      (await graphql<{ organization: { licenses: { status: string }[] } }>('query L($id: ID!) { organization(id: $id) { licenses { status } } }', { id: organizationId }))
        .organization.licenses[0]?.status;
    await waitFor(async () => (await licence()) === 'ACTIVE', { timeoutMs: 60_000, description: 'provisioning to consume entitlement_granted' });
    await graphql('mutation Cancel($id: ID!) { cancelEntitlement(input: { entitlementId: $id, reason: CUSTOMER_REQUEST }) { status } }', { id: grantEntitlement.id });
    await waitFor(async () => (await licence()) === 'CANCELLED', { timeoutMs: 60_000, description: 'provisioning to consume entitlement_cancelled' });

    const events = readTopicWithKcat(stack.kafkaBrokers, 'offboarding.entitlements.v1', kcatSettings()).filter((message) => message.key === organizationId);
    expect(events.map((message) => headerMap(message).ce_type)).toEqual(
      expect.arrayContaining(['com.offboarding.entitlements.entitlement_granted.v1', 'com.offboarding.entitlements.entitlement_cancelled.v1']),
    );
    const licences = readTopicWithKcat(stack.kafkaBrokers, 'offboarding.provisioning.v1', kcatSettings()).filter((message) => message.key === organizationId);
    expect(licences.map((message) => headerMap(message).ce_type)).toContain('com.offboarding.provisioning.license_cancelled.v1');

    // The same read with a wrong password is refused by the broker.
    const refused = await promisify(execFile)('kcat', ['-C', '-b', stack.kafkaBrokers, ...kcatSettings('wrong'), '-t', 'offboarding.entitlements.v1', '-o', 'beginning', '-e', '-m', '3'], { timeout: 30_000 }).then(
      () => null,
      (error: { stderr?: string }) => error.stderr ?? '',
    );
    expect(refused).toMatch(/Authentication failed/);
    expect(logs.join('\n')).not.toContain(PASSWORD);
  });
});
