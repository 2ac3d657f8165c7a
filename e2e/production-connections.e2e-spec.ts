import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { jwtVerify, SignJWT } from 'jose';
import { createTestCertificates, freePortBlock, kcatInstalled, startS3Stand, startStsStandIn, type S3Stand, type StsStandIn, type TestCertificates, waitFor } from '@offboarding/testing';
import { readZip } from '../apps/retention/src/__tests__/zip-reader';
import { startStack, type RunningStack } from '../tools/stack';
import { graphql as graphqlAs, login, SEEDED_ADMIN } from './graphql-client';
import { headerMap, readTopicWithKcat } from './kcat';

const USER = 'offboarding-services';
const REGION = 'eu-central-1';
const ROLE = 'arn:aws:iam::123456789012:role/offboarding';
const PASSWORD = 'sasl-ssl-e2e-password';

/**
 * The whole stack connected as in production:
 * - Kafka: the development broker in SASL_SSL mode (SCRAM-SHA-512 over TLS with a throwaway CA);
 *   every service connects with the KAFKA_SSL_* / KAFKA_SASL_* settings an operator would give
 *   it, events flow between the services, and kcat reads them with the same credentials;
 * - object storage: s3rver behind a gate that verifies every AWS signature, reached with
 *   web-identity credentials (no keys configured: the AWS SDK's default chain exchanges a
 *   projected service-account token at an STS stand-in, as on EKS with IRSA); a data export is
 *   stored there and its download link, followed through the gateway, redirects to a presigned
 *   URL that serves Range requests.
 */
const describeWithKcat = process.env.CI || kcatInstalled() ? describe : describe.skip;

describeWithKcat('the stack with production connections: SASL_SSL Kafka and S3 with web identity', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-e2e-sasl-'));
  const logs: string[] = [];
  let pki: TestCertificates;
  let s3: S3Stand;
  let sts: StsStandIn;
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
    // The projected service-account token of the pods, signed by the cluster's OIDC issuer.
    const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const tokenFile = path.join(pki.dir, 'web-identity-token');
    fs.writeFileSync(
      tokenFile,
      await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuer('https://oidc.test').setSubject('system:serviceaccount:offboarding:retention').setAudience('sts.amazonaws.com').setIssuedAt().setExpirationTime('1h').sign(issuer.privateKey),
    );
    s3 = await startS3Stand({ region: REGION });
    sts = await startStsStandIn({
      roleArn: ROLE,
      verifyToken: async (token) => Boolean(await jwtVerify(token, issuer.publicKey, { audience: 'sts.amazonaws.com', issuer: 'https://oidc.test' })),
      onIssued: (credentials) => s3.accept(credentials),
    });
    const first = await freePortBlock(6);
    const serviceUrl = (index: number) => `http://localhost:${first + 1 + index}`;
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
        // Object storage with no keys: the default credential chain finds the web identity.
        STORAGE_DRIVER: 's3',
        S3_BUCKET: s3.bucket,
        S3_REGION: REGION,
        S3_ENDPOINT: s3.endpoint,
        AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
        AWS_ROLE_ARN: ROLE,
        AWS_ENDPOINT_URL_STS: sts.endpoint,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        RETENTION_INTERNAL_URL: serviceUrl(3),
        ENTITLEMENTS_INTERNAL_URL: serviceUrl(0),
        PROVISIONING_INTERNAL_URL: serviceUrl(1),
        IDENTITY_INTERNAL_URL: serviceUrl(2),
        // Download links point at the gateway, which passes retention's redirect on.
        PUBLIC_BASE_URL: `http://localhost:${first}`,
      },
      onLog: (line) => logs.push(line),
    });
    token = await login(stack.graphqlUrl, SEEDED_ADMIN.email, SEEDED_ADMIN.password);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await sts?.stop();
    await s3?.stop();
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

  it('stores a data export on S3 with web-identity credentials, and its link redirects to a presigned URL that serves Range requests', async () => {
    const { createOrganization } = await graphql<{ createOrganization: { id: string } }>(
      'mutation { createOrganization(input: { name: "Stored GmbH", taxId: "DE888888888", type: CUSTOMER }) { id } }',
    );
    const { requestDataExport } = await graphql<{ requestDataExport: { id: string } }>('mutation E($org: ID!) { requestDataExport(organizationId: $org) { id } }', { org: createOrganization.id });
    const ready = await waitFor(
      async () => {
        const { dataExport } = await graphql<{ dataExport: { status: string; downloadUrl: string | null; sha256: string | null; error: string | null } }>(
          'query D($id: ID!) { dataExport(id: $id) { status downloadUrl sha256 error } }',
          { id: requestDataExport.id },
        );
        if (dataExport.status === 'FAILED') throw new Error(dataExport.error ?? 'export failed');
        return dataExport.status === 'READY' ? dataExport : undefined;
      },
      { timeoutMs: 120_000, description: 'the data export on S3' },
    );
    expect(ready.downloadUrl!.startsWith(`${stack.graphqlUrl.replace(/\/graphql$/, '')}/exports/`)).toBe(true);

    // The link, through the gateway: a redirect to the store, not the archive.
    const redirect = await fetch(ready.downloadUrl!, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location')!;
    expect(location.startsWith(`${s3.endpoint}/${s3.bucket}/`)).toBe(true);
    expect(new URL(location).searchParams.get('X-Amz-Security-Token')).toBeTruthy();

    const archive = Buffer.from(await (await fetch(ready.downloadUrl!)).arrayBuffer());
    expect(createHash('sha256').update(archive).digest('hex')).toBe(ready.sha256);
    const head = await fetch(location, { headers: { range: 'bytes=0-3' } });
    expect(head.status).toBe(206);
    expect(Buffer.from(await head.arrayBuffer())).toEqual(archive.subarray(0, 4));
    const zipFile = path.join(dataDir, 'stored-export.zip');
    fs.writeFileSync(zipFile, archive);
    const entries = await readZip(zipFile);
    expect(JSON.parse(entries.get('entitlements/organizations.json')!.toString())).toEqual([expect.objectContaining({ id: createOrganization.id, name: 'Stored GmbH' })]);

    // Every request reached the store signed with STS's temporary credentials, none refused.
    expect(sts.calls.length).toBeGreaterThanOrEqual(1);
    expect(sts.calls.every((call) => call.tokenAccepted && call.roleArn === ROLE)).toBe(true);
    const issued = new Set(sts.issued.map((credentials) => credentials.sessionToken));
    expect(s3.refusals).toEqual([]);
    expect(s3.requests.length).toBeGreaterThan(0);
    expect(s3.requests.every((request) => request.sessionToken !== null && issued.has(request.sessionToken))).toBe(true);
  });

  it('records every job run and shows it to staff through scheduledJobs and scheduledJobRuns', async () => {
    await graphql('mutation { _devRunScheduledJobs { service job status } }');
    const { scheduledJobs } = await graphql<{ scheduledJobs: { service: string; name: string; schedule: string; lastRun: { trigger: string; status: string; processed: number } | null }[] }>(
      '{ scheduledJobs { service name schedule lastRun { trigger status processed } } }',
    );
    const names = scheduledJobs.map((job) => `${job.service}:${job.name}`);
    expect(names).toEqual(expect.arrayContaining(['RETENTION:timeline-tick', 'ENTITLEMENTS:grace-period-sweep', 'IDENTITY:prune-tables', 'PROVISIONING:environment-teardown']));
    for (const job of scheduledJobs) expect(job.lastRun).toMatchObject({ status: 'COMPLETED' });
    const { scheduledJobRuns } = await graphql<{ scheduledJobRuns: { totalCount: number; edges: { node: { trigger: string; status: string; durationMs: number } }[] } }>(
      '{ scheduledJobRuns(service: RETENTION, job: "prune-tables", first: 5) { totalCount edges { node { trigger status durationMs } } } }',
    );
    expect(scheduledJobRuns.totalCount).toBeGreaterThanOrEqual(1);
    expect(scheduledJobRuns.edges.map((edge) => edge.node.status)).toContain('COMPLETED');
    expect(scheduledJobRuns.edges.some((edge) => edge.node.trigger === 'MANUAL')).toBe(true);
  });
});
