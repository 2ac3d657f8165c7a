import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { deadLetterTopic, eventSubscriptions, Topics, type ServiceName } from '@offboarding/contracts';
import { resolveDatabaseTarget } from '@offboarding/persistence';
import { loadServiceConfig, scheduleIntervalSeconds } from '@offboarding/platform';
import { createTestCertificates, type TestCertificates } from '@offboarding/testing';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway-config';
import { appNames, entryPoint, HEALTH, requiredEnv, root, SCHEDULED_JOBS, SUBGRAPHS } from './deployment-contract';

// Renders every kustomization with `kubectl kustomize` and checks what a cluster would get: each
// object against the Kubernetes schemas, and the platform's own rules (probes on the services'
// real health paths, limits, non-root, read-only root file system, Forbid on every CronJob, no
// secret values, a NetworkPolicy per subgraph) plus the wiring the code expects (ports and
// variables through the services' configuration loaders, the CLI of migrations and jobs).

const KUSTOMIZATIONS = {
  base: { namespace: undefined, topicReplicas: 3, minInsync: 2 },
  'overlays/dev': { namespace: 'offboarding-dev', topicReplicas: 1, minInsync: 1 },
  'overlays/prod': { namespace: 'offboarding', topicReplicas: 3, minInsync: 2 },
} as const;

interface Metadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: unknown };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  restartPolicy?: string;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  affinity?: { podAntiAffinity?: { preferredDuringSchedulingIgnoredDuringExecution?: { podAffinityTerm: { labelSelector: { matchLabels: Record<string, string> } } }[] } };
  containers: Container[];
  volumes?: { name: string; emptyDir?: unknown; configMap?: { name: string }; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: PodSpec;
}
interface NetworkPolicyPeer {
  ipBlock?: { cidr: string };
  podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values: string[] }[] };
  namespaceSelector?: { matchLabels?: Record<string, string> };
}
interface NetworkPolicySpec {
  podSelector: { matchLabels?: Record<string, string> };
  policyTypes: string[];
  ingress?: { from?: NetworkPolicyPeer[]; ports?: { port: number | string; protocol: string }[] }[];
  egress?: { to?: NetworkPolicyPeer[]; ports?: { port: number | string; protocol: string }[] }[];
}

const NAME = 'app.kubernetes.io/name';
const COMPONENT = 'app.kubernetes.io/component';
const STAGE = 'offboarding.io/stage';

function kubectlInstalled(): boolean {
  const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  return !probe.error && probe.status === 0;
}

/** Like the kcat suites: always in CI (a missing kubectl fails there), skipped with a hint elsewhere. */
function describeWithKubectl(name: string, suite: () => void): void {
  if (process.env.CI || kubectlInstalled()) {
    describe(name, suite);
    return;
  }
  process.stderr.write(`\nkubectl is not installed: skipping "${name}" (see the system packages step of .ci/run)\n`);
  describe.skip(name, suite);
}

function render(kustomization: string): K8sObject[] {
  const result = spawnSync('kubectl', ['kustomize', path.join(root, 'k8s', kustomization)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`kubectl kustomize k8s/${kustomization} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((document) => document.toJS() as K8sObject);
}

/**
 * Schema validation: Kubernetes' own kinds with the kubernetes-models package (JSON Schemas of the
 * Kubernetes API, compiled for ajv); the Prometheus Operator's ServiceMonitor and PrometheusRule
 * with @kubernetes-models/prometheus-operator; Strimzi's KafkaTopic and KafkaUser with the
 * openAPIV3Schema of the CRDs Strimzi 1.2.0 installs (tools/__tests__/fixtures/strimzi-1.2.0).
 */
function schemaValidator(): (object: K8sObject) => void {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const strimzi = new Map<string, (data: unknown) => boolean>();
  for (const file of fs.readdirSync(path.join(__dirname, 'fixtures', 'strimzi-1.2.0')).filter((name) => name.endsWith('.yaml'))) {
    const crd = parseYaml(fs.readFileSync(path.join(__dirname, 'fixtures', 'strimzi-1.2.0', file), 'utf8')) as {
      spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema: { openAPIV3Schema: object } }[] };
    };
    for (const version of crd.spec.versions.filter((candidate) => candidate.served)) {
      strimzi.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(version.schema.openAPIV3Schema));
    }
  }
  return (object) => {
    if (object.apiVersion.startsWith('kafka.strimzi.io/')) {
      const validate = strimzi.get(`${object.apiVersion}/${object.kind}`);
      if (!validate) throw new Error(`Strimzi 1.2.0 serves no ${object.apiVersion} ${object.kind}`);
      if (!validate(object)) throw new Error(ajv.errorsText((validate as unknown as { errors: Parameters<typeof ajv.errorsText>[0] }).errors));
      return;
    }
    const module = object.apiVersion.startsWith('monitoring.coreos.com/')
      ? `@kubernetes-models/prometheus-operator/${object.apiVersion}/${object.kind}`
      : `kubernetes-models/${object.apiVersion}/${object.kind}`;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- one module per kind, chosen at run time
    const models = require(module) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = models[object.kind];
    if (!Model) throw new Error(`no model for ${object.apiVersion} ${object.kind}`);
    new Model(object).validate();
  };
}

const podTemplate = (object: K8sObject): PodTemplate | undefined => {
  switch (object.kind) {
    case 'Deployment':
    case 'Job':
      return object.spec?.template as PodTemplate;
    case 'CronJob':
      return (object.spec?.jobTemplate as { spec: { template: PodTemplate } }).spec.template;
    default:
      return undefined;
  }
};

describeWithKubectl('Kubernetes manifests', () => {
  const validate = schemaValidator();
  let pki: TestCertificates;
  beforeAll(async () => {
    pki = await createTestCertificates();
  });
  afterAll(() => pki?.remove());

  describe.each(Object.entries(KUSTOMIZATIONS))('k8s/%s', (kustomization, expected) => {
    let objects: K8sObject[];
    const all = (kind: string) => objects.filter((object) => object.kind === kind);
    const find = (kind: string, name: string): K8sObject => {
      const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
      if (!found) throw new Error(`k8s/${kustomization} renders no ${kind} ${name}`);
      return found;
    };
    /** Resolves a generated (hash-suffixed) ConfigMap name as kustomize wrote it into the pod spec. */
    const configMap = (name: string) => find('ConfigMap', name).data ?? {};
    /**
     * The environment a container starts with; values from Secrets are stand-ins that name the
     * Secret, and a file a variable names (KAFKA_SSL_CA_FILE) must be on a mounted volume; it is
     * replaced by a real CA certificate so the services' configuration loaders can read it.
     */
    const environment = (container: Container, filesMounted = true): NodeJS.ProcessEnv => {
      const env: NodeJS.ProcessEnv = {};
      for (const source of container.envFrom ?? []) {
        expect(source.secretRef).toBeUndefined();
        Object.assign(env, configMap(source.configMapRef!.name));
      }
      for (const variable of container.env ?? []) {
        const secret = variable.valueFrom?.secretKeyRef;
        env[variable.name] = secret ? `postgres://from-secret-${secret.name}@database:5432/offboarding` : variable.value;
      }
      for (const [name, value] of Object.entries(env)) {
        if (!name.endsWith('_FILE') || !value) continue;
        if (filesMounted) expect({ name, mounted: (container.volumeMounts ?? []).some((mount) => value.startsWith(`${mount.mountPath}/`)) }).toEqual({ name, mounted: true });
        env[name] = pki.trusted.caFile;
      }
      return env;
    };
    const workloads = () => objects.filter((object) => podTemplate(object));
    const appOf = (object: K8sObject) => object.metadata.labels?.[NAME] ?? '';

    beforeAll(() => {
      objects = render(kustomization);
    });

    it('runs no scheduled job inside the servers: the CronJobs are the only scheduler', () => {
      for (const app of SUBGRAPHS) {
        const [container] = podTemplate(find('Deployment', app))!.spec.containers;
        expect({ app, mode: loadServiceConfig(app, environment(container)).scheduler.mode }).toEqual({ app, mode: 'cron' });
      }
    });

    it('renders only valid Kubernetes objects', () => {
      expect(objects.length).toBeGreaterThan(40);
      const problems: string[] = [];
      for (const object of objects) {
        if (!object.apiVersion || !object.kind || !object.metadata?.name) problems.push(`incomplete object ${JSON.stringify(object).slice(0, 80)}`);
        try {
          validate(object);
        } catch (error) {
          problems.push(`${object.kind} ${object.metadata.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('puts everything in the overlay namespace, with pinned images', () => {
      const namespaced = objects.filter((object) => object.kind !== 'Namespace');
      expect(new Set(namespaced.map((object) => object.metadata.namespace))).toEqual(new Set([expected.namespace]));
      if (expected.namespace) {
        expect(find('Namespace', expected.namespace).metadata.labels).toMatchObject({
          'pod-security.kubernetes.io/enforce': 'restricted',
          [STAGE]: 'pre-deploy', // applied with the migrations, before anything else
        });
        const images = workloads().flatMap((object) => podTemplate(object)!.spec.containers.map((container) => container.image));
        expect(images.filter((image) => !/^offboarding\/[a-z]+:[\w.-]+$/.test(image) || image.endsWith(':latest'))).toEqual([]);
      }
    });

    it('carries no secret values: Secrets are referenced, never rendered', () => {
      expect(all('Secret')).toEqual([]);
      for (const object of workloads()) {
        for (const container of podTemplate(object)!.spec.containers) {
          for (const variable of container.env ?? []) {
            if (/DATABASE_URL|PASSWORD|SECRET|KEY/.test(variable.name)) {
              expect({ object: object.metadata.name, variable: variable.name, fromSecret: Boolean(variable.valueFrom?.secretKeyRef) }).toEqual({
                object: object.metadata.name,
                variable: variable.name,
                fromSecret: true,
              });
            }
          }
        }
      }
      for (const map of all('ConfigMap')) {
        expect(Object.keys(map.data ?? {}).filter((key) => /DATABASE_URL|PASSWORD|SECRET|TOKEN/.test(key))).toEqual([]);
        expect(Object.values(map.data ?? {}).filter((value) => /:\/\/[^/\s]*:[^/\s]*@/.test(value))).toEqual([]);
      }
    });

    it('runs every app as a Deployment with probes on its health paths, limits and a locked-down container', () => {
      expect(all('Deployment').map(appOf).sort()).toEqual(appNames());
      for (const app of appNames()) {
        const deployment = find('Deployment', app);
        expect(deployment.spec?.replicas).toBeUndefined(); // the HorizontalPodAutoscaler owns it
        const template = podTemplate(deployment)!;
        const { spec } = template;
        expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
        const antiAffinity = spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0];
        expect(antiAffinity?.podAffinityTerm.labelSelector.matchLabels).toEqual(template.metadata.labels);
        expect(spec.containers).toHaveLength(1);
        const [container] = spec.containers;
        expect(container.command).toEqual(['node', '--enable-source-maps', entryPoint(app, 'main')]);

        // The probes reach the port the service will actually listen on, per its own configuration.
        const env = environment(container);
        const port = app === 'gateway' ? loadGatewayConfig(env).port : loadServiceConfig(app as ServiceName, env).port;
        const http = container.ports?.find((candidate) => candidate.name === 'http');
        expect({ app, port: http?.containerPort }).toEqual({ app, port });
        const probes = {
          startup: container.startupProbe?.httpGet,
          liveness: container.livenessProbe?.httpGet,
          readiness: container.readinessProbe?.httpGet,
        };
        expect({ app, probes }).toEqual({
          app,
          probes: {
            startup: { path: HEALTH.live, port: 'http' },
            liveness: { path: HEALTH.live, port: 'http' },
            readiness: { path: HEALTH.ready, port: 'http' },
          },
        });
      }
    });

    it('gives every pod limits, a non-root user, a read-only root file system, no capabilities and a writable /tmp', () => {
      expect(workloads().length).toBe(appNames().length + SUBGRAPHS.length + Object.values(SCHEDULED_JOBS).flatMap((jobs) => Object.keys(jobs)).length);
      for (const object of workloads()) {
        const { spec } = podTemplate(object)!;
        const where = `${object.kind} ${object.metadata.name}`;
        expect({ where, pod: spec.securityContext }).toMatchObject({
          where,
          pod: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        });
        expect(spec.securityContext?.runAsUser).toBeGreaterThan(0);
        expect(spec.automountServiceAccountToken).toBe(false);
        find('ServiceAccount', spec.serviceAccountName ?? 'default');
        const tmp = spec.volumes?.find((volume) => volume.emptyDir !== undefined);
        for (const container of spec.containers) {
          expect({ where, resources: container.resources }).toEqual({
            where,
            resources: {
              requests: { cpu: expect.any(String), memory: expect.any(String) },
              limits: { cpu: expect.any(String), memory: expect.any(String) },
            },
          });
          expect({ where, security: container.securityContext }).toEqual({
            where,
            security: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          });
          expect(container.volumeMounts).toContainEqual({ name: tmp?.name, mountPath: '/tmp' });
        }
      }
    });

    it('sets what each app needs from its environment, databases from Secrets', () => {
      for (const object of workloads()) {
        const app = appOf(object);
        const [container] = podTemplate(object)!.spec.containers;
        const workload = object.metadata.labels?.[COMPONENT] === 'migration' ? 'migration' : 'server';
        // A migration reads only its database settings: it needs no Kafka certificate mounted.
        const env = environment(container, workload !== 'migration');
        expect({ where: object.metadata.name, missing: requiredEnv(app, workload).filter((name) => !env[name]) }).toEqual({ where: object.metadata.name, missing: [] });
        expect(env.NODE_ENV).toBe('production');
        if (app === 'gateway') continue;
        // A migration reads its database settings only (migrate.js loads no service configuration).
        if (workload !== 'migration') expect(loadServiceConfig(app as ServiceName, env).kafkaBrokers).toEqual(['offboarding-kafka-bootstrap.kafka.svc:9093']);
        expect(resolveDatabaseTarget(app, env)).toEqual({
          kind: 'postgres',
          url: `postgres://from-secret-${app}-database@database:5432/offboarding`,
        });
        expect(env.DB_MIGRATE_ON_START).toBe('false');
        expect(env.KAFKA_CREATE_TOPICS).toBe('false');
      }
    });

    it('routes the gateway to each subgraph Service and serves the checked-in supergraph from a generated ConfigMap', () => {
      const gateway = podTemplate(find('Deployment', 'gateway'))!.spec;
      const [container] = gateway.containers;
      const config = loadGatewayConfig(environment(container));
      expect(Object.keys(config.subgraphUrls).sort()).toEqual([...SUBGRAPHS].sort());
      for (const subgraph of SUBGRAPHS) {
        const url = new URL(config.subgraphUrls[subgraph]!);
        const service = find('Service', url.hostname);
        const ports = (service.spec?.ports as { port: number; targetPort: string }[]).map((port) => port.port);
        expect({ subgraph, service: appOf(service), port: ports.includes(Number(url.port)), path: url.pathname }).toEqual({
          subgraph,
          service: subgraph,
          port: true,
          path: '/graphql',
        });
        expect(service.spec?.selector).toEqual(podTemplate(find('Deployment', subgraph))!.metadata.labels);
      }

      const mount = container.volumeMounts?.find((candidate) => config.supergraphPath.startsWith(`${candidate.mountPath}/`));
      const volume = gateway.volumes?.find((candidate) => candidate.name === mount?.name);
      const supergraph = configMap(volume?.configMap?.name ?? 'none');
      expect(volume?.configMap?.name).toMatch(/^gateway-supergraph-[a-z0-9]{10}$/); // content-hashed: a new supergraph rolls the gateway
      expect(supergraph[path.basename(config.supergraphPath)]).toBe(fs.readFileSync(path.join(root, 'apps/gateway/supergraph.graphql'), 'utf8'));
    });

    it('scales and protects every Deployment with an autoscaler and a disruption budget', () => {
      for (const app of appNames()) {
        const labels = podTemplate(find('Deployment', app))!.metadata.labels;
        const hpa = find('HorizontalPodAutoscaler', app);
        expect(hpa.apiVersion).toBe('autoscaling/v2');
        expect(hpa.spec?.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: app });
        expect(hpa.spec?.minReplicas).toBeGreaterThanOrEqual(1);
        expect(hpa.spec?.maxReplicas).toBeGreaterThan(hpa.spec?.minReplicas as number);
        const pdb = find('PodDisruptionBudget', app);
        expect(pdb.spec?.selector).toEqual({ matchLabels: labels });
        const service = find('Service', app);
        expect(service.spec?.selector).toEqual(labels);
      }
    });

    it('migrates each subgraph with a Job that runs before the rollout', () => {
      const jobs = all('Job');
      expect(jobs.map(appOf).sort()).toEqual([...SUBGRAPHS].sort());
      for (const job of jobs) {
        const app = appOf(job);
        const { spec } = podTemplate(job)!;
        expect(spec.containers[0].command).toEqual(['node', '--enable-source-maps', entryPoint(app, 'migrate')]);
        expect(spec.restartPolicy).toBe('Never');
        expect(job.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/sync-wave': '-1' });
        // `kubectl apply -l offboarding.io/stage=pre-deploy` must bring everything the Job needs.
        expect(job.metadata.labels?.[STAGE]).toBe('pre-deploy');
        const needed = [
          find('ServiceAccount', spec.serviceAccountName!),
          ...(spec.containers[0].envFrom ?? []).map((source) => find('ConfigMap', source.configMapRef!.name)),
          ...all('NetworkPolicy').filter((policy) => {
            const selector = (policy.spec as unknown as NetworkPolicySpec).podSelector.matchLabels ?? {};
            return Object.entries(selector).every(([key, value]) => podTemplate(job)!.metadata.labels[key] === value);
          }),
        ];
        expect(needed.filter((object) => object.metadata.labels?.[STAGE] !== 'pre-deploy').map((object) => object.metadata.name)).toEqual([]);
        for (const object of needed) expect(Number(object.metadata.annotations?.['argocd.argoproj.io/sync-wave'])).toBeLessThan(-1);
      }
      expect(all('Deployment').filter((deployment) => deployment.metadata.labels?.[STAGE])).toEqual([]);
    });

    it('schedules exactly the services’ jobs as CronJobs that never overlap', () => {
      const scheduled = all('CronJob').map((cronJob) => {
        const command = podTemplate(cronJob)!.spec.containers[0].command ?? [];
        expect(cronJob.spec?.concurrencyPolicy).toBe('Forbid');
        expect(command.slice(0, 4)).toEqual(['node', '--enable-source-maps', entryPoint(appOf(cronJob), 'main'), 'run-job']);
        // The schedule the job declares: what its "not succeeding on schedule" alert measures.
        const schedule = SCHEDULED_JOBS[appOf(cronJob) as ServiceName][command[4]];
        expect({ job: command[4], schedule: cronJob.spec?.schedule }).toEqual({ job: command[4], schedule });
        expect(scheduleIntervalSeconds(schedule)).toBeGreaterThan(0);
        return `${appOf(cronJob)} ${command[4]}`;
      });
      const expectedJobs = Object.entries(SCHEDULED_JOBS).flatMap(([service, jobs]) => Object.keys(jobs).map((job) => `${service} ${job}`));
      expect(scheduled.sort()).toEqual(expectedJobs.sort());
    });

    it('denies all traffic by default and lets only the gateway reach the subgraphs', () => {
      const policies = all('NetworkPolicy').map((policy) => ({ name: policy.metadata.name, spec: policy.spec as unknown as NetworkPolicySpec }));
      const defaultDeny = policies.find((policy) => Object.keys(policy.spec.podSelector.matchLabels ?? {}).length === 0);
      expect(defaultDeny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

      for (const subgraph of SUBGRAPHS) {
        const policy = policies.find((candidate) => candidate.spec.podSelector.matchLabels?.[NAME] === subgraph);
        expect(policy?.spec.policyTypes).toEqual(['Ingress', 'Egress']);
        const ingress = policy!.spec.ingress ?? [];
        // The gateway calls the subgraph; Prometheus (the monitoring namespace) scrapes /metrics;
        // and the services' internal calls: retention gathers exports from the others, which
        // fetch masking keys from retention.
        const peers = (values: string[]) => [{ podSelector: { matchExpressions: [{ key: NAME, operator: 'In', values }] } }];
        const internalPeers =
          subgraph === 'retention'
            ? peers(['entitlements', 'provisioning', 'identity'])
            : subgraph === 'identity'
              ? peers(['entitlements', 'provisioning', 'retention'])
              : [{ podSelector: { matchLabels: { [NAME]: 'retention' } } }];
        expect(ingress.flatMap((rule) => rule.from ?? [{}])).toEqual([
          { podSelector: { matchLabels: { [NAME]: 'gateway', [COMPONENT]: 'server' } } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
          ...internalPeers,
        ]);
        const ports = (find('Service', subgraph).spec?.ports as { port: number }[]).map((port) => port.port);
        for (const rule of ingress) expect((rule.ports ?? []).map((port) => port.port)).toEqual(ports);
        const egressPorts = (policy!.spec.egress ?? []).flatMap((rule) => (rule.ports ?? [{ port: 'any' }]).map((port) => port.port));
        // Retention → the others (exports), the others → retention (masking keys), everyone but
        // identity → identity (public keys of the access tokens).
        const internal = subgraph === 'retention' ? [4001, 4002, 4003] : subgraph === 'identity' ? [4004] : [4003, 4004];
        // Object storage (HTTPS) and, on EKS Pod Identity, the node's credentials agent.
        const objectStorage = subgraph === 'retention' || subgraph === 'provisioning' ? [443, 80] : [];
        expect([...new Set(egressPorts)].sort()).toEqual([53, 5432, 9093, ...internal, ...objectStorage].sort());
        const podIdentity = (policy!.spec.egress ?? []).filter((rule) => rule.ports?.some((port) => port.port === 80));
        expect(podIdentity.flatMap((rule) => rule.to ?? [])).toEqual(objectStorage.length > 0 ? [{ ipBlock: { cidr: '169.254.170.23/32' } }] : []);
      }

      const gateway = policies.find((candidate) => candidate.spec.podSelector.matchLabels?.[NAME] === 'gateway');
      const toSubgraphs = gateway!.spec.egress!.find((rule) => rule.to?.some((peer) => peer.podSelector?.matchExpressions));
      expect(toSubgraphs?.to?.[0].podSelector?.matchExpressions?.[0].values.sort()).toEqual([...SUBGRAPHS].sort());
      expect(toSubgraphs?.ports?.map((port) => port.port).sort()).toEqual(
        SUBGRAPHS.flatMap((subgraph) => (find('Service', subgraph).spec?.ports as { port: number }[]).map((port) => port.port)).sort(),
      );
    });

    it('gives each service its own Kafka user, allowed its own topics, the topics it consumes and its group only', () => {
      type Acl = { resource: { type: string; name?: string; patternType?: string }; operations: string[] };
      const aclsOf = (name: string) => {
        const user = find('KafkaUser', name);
        expect(user.metadata.labels?.['strimzi.io/cluster']).toBe('offboarding');
        expect(user.spec?.authentication).toEqual({ type: 'scram-sha-512' });
        const authorization = user.spec?.authorization as { type: string; acls: Acl[] };
        expect(authorization.type).toBe('simple');
        return authorization.acls
          .map((acl) => `${acl.resource.type}:${acl.resource.name ?? '*'}:${acl.resource.patternType ?? 'literal'}:${[...acl.operations].sort().join('+')}`)
          .sort();
      };
      for (const service of SUBGRAPHS) {
        expect({ service, acls: aclsOf(`offboarding-${service}`) }).toEqual({
          service,
          acls: [
            `topic:${Topics[service]}:literal:Describe+Write`,
            `topic:${deadLetterTopic(service)}:literal:Describe+Write`,
            ...eventSubscriptions[service].map((producer) => `topic:${Topics[producer]}:literal:Describe+Read`),
            `group:offboarding.${service}:literal:Describe+Read`,
            'cluster:*:literal:IdempotentWrite',
          ].sort(),
        });
      }
      // The dead-letter replay reads the dead-letter topics and writes back to the event topics.
      expect(aclsOf('offboarding-dlq-replay')).toEqual(
        [
          'topic:offboarding.dlq.:prefix:Describe+Read',
          ...SUBGRAPHS.map((service) => `topic:${Topics[service]}:literal:Describe+Write`),
          ...SUBGRAPHS.map((service) => `group:offboarding.${service}.dlq-replay:literal:Describe+Read`),
        ].sort(),
      );
      expect(all('KafkaUser')).toHaveLength(SUBGRAPHS.length + 1);
    });

    it('connects every Kafka client over TLS with SCRAM-SHA-512 as its own user, the password from the user’s Secret', () => {
      for (const object of workloads().filter((workload) => SUBGRAPHS.includes(appOf(workload) as ServiceName))) {
        const app = appOf(object) as ServiceName;
        if (object.metadata.labels?.[COMPONENT] === 'migration') continue; // migrations never touch Kafka
        const { spec } = podTemplate(object)!;
        const [container] = spec.containers;
        const where = `${object.kind} ${object.metadata.name}`;
        expect({ where, password: container.env?.find((variable) => variable.name === 'KAFKA_SASL_PASSWORD')?.valueFrom?.secretKeyRef }).toEqual({
          where,
          password: { name: `offboarding-${app}`, key: 'password' },
        });
        const { kafkaSecurity } = loadServiceConfig(app, environment(container));
        expect({ where, sasl: kafkaSecurity.sasl && { mechanism: kafkaSecurity.sasl.mechanism, username: kafkaSecurity.sasl.username }, tls: Boolean(kafkaSecurity.tls?.ca) }).toEqual({
          where,
          sasl: { mechanism: 'scram-sha-512', username: `offboarding-${app}` },
          tls: true,
        });
        find('KafkaUser', kafkaSecurity.sasl!.username);
        const ca = spec.volumes?.find((volume) => volume.name === 'kafka-ca');
        expect({ where, ca: ca?.secret }).toEqual({ where, ca: { secretName: 'offboarding-cluster-ca-cert', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
        expect(container.volumeMounts).toContainEqual({ name: 'kafka-ca', mountPath: '/etc/kafka/ca', readOnly: true });
      }
    });

    it('monitors, alerts and exports traces where the overlay includes those components', () => {
      const monitored = kustomization === 'overlays/prod';
      expect(all('ServiceMonitor')).toHaveLength(monitored ? 1 : 0);
      expect(all('PrometheusRule')).toHaveLength(monitored ? 1 : 0);
      const otlp = all('NetworkPolicy').find((policy) => policy.metadata.name === 'offboarding-otlp-egress');
      expect(Boolean(otlp)).toBe(monitored);
      if (!monitored) return;
      const selector = (all('ServiceMonitor')[0].spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      const scraped = all('Service').filter((service) => Object.entries(selector).every(([key, value]) => service.metadata.labels?.[key] === value));
      expect(scraped.map(appOf).sort()).toEqual(appNames());
      for (const service of scraped) expect((service.spec?.ports as { name: string }[]).map((port) => port.name)).toContain('http');
      const dashboards = all('ConfigMap').filter((map) => map.metadata.labels?.grafana_dashboard === '1');
      expect(Object.keys(dashboards[0]?.data ?? {})).toEqual(['offboarding-pipeline.json']);
      // Every pod may reach the collector the apps are told to export to.
      const egress = (otlp!.spec as unknown as NetworkPolicySpec).egress ?? [];
      expect((otlp!.spec as unknown as NetworkPolicySpec).podSelector.matchLabels).toEqual({ 'app.kubernetes.io/part-of': 'offboarding' });
      const endpoint = new URL(configMap(podTemplate(find('Deployment', 'gateway'))!.spec.containers[0].envFrom![0].configMapRef!.name).OTEL_EXPORTER_OTLP_ENDPOINT);
      expect(egress.flatMap((rule) => (rule.ports ?? []).map((port) => port.port))).toEqual([Number(endpoint.port)]);
      expect(endpoint.hostname.split('.')[1]).toBe(egress[0].to?.[0].namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']);
    });

    it('declares every topic and dead-letter topic for Strimzi, replicated and with a retention', () => {
      const topics = all('KafkaTopic');
      const names = topics.map((topic) => topic.spec?.topicName);
      expect(names.sort()).toEqual([...Object.values(Topics), ...SUBGRAPHS.map((service) => deadLetterTopic(service))].sort());
      for (const topic of topics) {
        expect(topic.apiVersion).toBe('kafka.strimzi.io/v1');
        expect(topic.metadata.labels?.['strimzi.io/cluster']).toBe('offboarding');
        const config = topic.spec?.config as Record<string, unknown>;
        expect({ topic: topic.spec?.topicName, replicas: topic.spec?.replicas, minInsync: Number(config['min.insync.replicas']) }).toEqual({
          topic: topic.spec?.topicName,
          replicas: expected.topicReplicas,
          minInsync: expected.minInsync,
        });
        expect(Number(config['retention.ms'])).toBeGreaterThan(0);
        expect(topic.spec?.partitions).toBeGreaterThanOrEqual(3);
      }
    });
  });
});
