import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, type GraphQLSchema, parse } from 'graphql';
import { type Caller, ErrorCode, errorCodeEnumSdl, internalApiToken, internalAuthHeaders } from '@offboarding/platform';
import { callService, countList, type ServiceBaseUrls } from './dev-tools';
import { SUBGRAPH_NAMES, type SubgraphName } from './gateway-config';

// The `operations` subgraph: how the platform's own machinery is doing, for staff admins. The
// gateway serves it itself (at /_ops/graphql), in production too, and composes it into both
// supergraphs; it asks each service's internal /internal/jobs endpoint (internal token). It also
// declares the `ErrorCode` enum: every code an answer of the gateway can carry, from the catalog
// in libs/platform, so the public schema documents them.

export const OPERATIONS_SUBGRAPH_NAME = 'operations';
export const OPERATIONS_SUBGRAPH_PATH = '/_ops/graphql';

export const operationsTypeDefsSource = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])

  """
  A date-time string at UTC, such as 2019-12-03T09:54:33Z, compliant with the date-time format.
  """
  scalar DateTime

  "A service of the platform that runs scheduled jobs."
  enum PlatformService {
    "Organizations, entitlements, cancellation and offboarding cases."
    ENTITLEMENTS
    "Licences, environments, contracts, campaigns and the other downstream resources."
    PROVISIONING
    "Users, sessions, SSO connections and portal access."
    IDENTITY
    "Timelines, exports, masking, purge and the audit trail."
    RETENTION
  }

  "How a job run was started."
  enum ScheduledJobTrigger {
    "By the service's own interval (SCHEDULER_MODE=in-process)."
    INTERVAL
    "By run-job, i.e. a Kubernetes CronJob (SCHEDULER_MODE=cron)."
    CRON
    "On demand: _devRunScheduledJobs, outside production."
    MANUAL
  }

  "Where a job run stands."
  enum ScheduledJobRunStatus {
    "Still running (or its process died before it could record the end)."
    RUNNING
    "Finished without error."
    COMPLETED
    "Stopped with an error; see the run's error."
    FAILED
  }

  "One run of a scheduled job."
  type ScheduledJobRun {
    "Opaque id of the run."
    id: ID!
    "The service that ran it."
    service: PlatformService!
    "The job's name, e.g. timeline-tick."
    job: String!
    "What started it."
    trigger: ScheduledJobTrigger!
    "Where it stands."
    status: ScheduledJobRunStatus!
    "When it started (the database's clock)."
    startedAt: DateTime!
    "When it ended; null while RUNNING."
    finishedAt: DateTime
    "How long it took in milliseconds; null while RUNNING."
    durationMs: Int
    "How many items it changed (entitlements cancelled, milestones published, rows pruned…): the sum of counts."
    processed: Int!
    "What it did, counted by kind (e.g. entitlementsCancelled 3), sorted by kind; empty while RUNNING, when FAILED, or for a run recorded before runs kept counts."
    counts: [ScheduledJobRunCount!]!
    "Why it failed; null unless FAILED."
    error: String
    "The pod or host that ran it."
    host: String!
  }

  "One kind of thing a job run did, and how many times."
  type ScheduledJobRunCount {
    "What was done, in camelCase, e.g. entitlementsCancelled, purgesCompleted, outboxRows."
    what: String!
    "How many."
    count: Int!
  }

  "A scheduled job of a service, with its latest outcome."
  type ScheduledJob {
    "The service that owns it."
    service: PlatformService!
    "Its name, as run-job and the CronJob know it."
    name: String!
    "What it does."
    description: String!
    "When it is due: its CronJob's five-field cron schedule, in UTC."
    schedule: String!
    "How often it should succeed, in seconds, in the service's scheduler mode (schedule, or the in-process interval)."
    expectedIntervalSeconds: Int!
    "The newest run; null if it never ran."
    lastRun: ScheduledJobRun
    "When a run last completed; null if none has."
    lastSuccessAt: DateTime
    "True when no run has completed within twice the expected interval: the job is not succeeding on schedule."
    overdue: Boolean!
  }

  "Relay pagination state of a connection."
  type PageInfo @shareable {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  "A run in a list of runs."
  type ScheduledJobRunEdge {
    "Pass as after to continue after this run."
    cursor: String!
    "The run."
    node: ScheduledJobRun!
  }

  "A page of a job's runs, newest first."
  type ScheduledJobRunConnection {
    "The runs of this page."
    edges: [ScheduledJobRunEdge!]!
    "Whether more runs follow, and the cursor to ask for them."
    pageInfo: PageInfo!
    "How many runs of the job are recorded (finished runs are kept JOB_RUN_RETENTION_DAYS)."
    totalCount: Int!
  }

  type Query {
    "Every scheduled job of every service (or of one), with its latest run and last success. Staff admins only."
    scheduledJobs(
      "Only this service's jobs."
      service: PlatformService
    ): [ScheduledJob!]!
    "The recorded runs of one job, newest first. Staff admins only."
    scheduledJobRuns(
      "The service that owns the job."
      service: PlatformService!
      "The job's name, e.g. timeline-tick."
      job: String!
      "How many runs per page, 1 to 100."
      first: Int = 20
      "The cursor of the last run of the previous page."
      after: String
    ): ScheduledJobRunConnection!
  }

${errorCodeEnumSdl()}`;
export const operationsTypeDefs = parse(operationsTypeDefsSource);

interface JobRun {
  id: string;
  cursor?: string;
  job: string;
  trigger: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  processed: number;
  counts?: Record<string, number>;
  error: string | null;
  host: string;
}
interface JobStatus {
  name: string;
  description: string;
  schedule: string;
  expectedIntervalSeconds: number;
  lastRun: JobRun | null;
  lastSuccessAt: string | null;
}

const ENUM_OF: Record<SubgraphName, string> = { entitlements: 'ENTITLEMENTS', provisioning: 'PROVISIONING', identity: 'IDENTITY', retention: 'RETENTION' };
const serviceOf = (value: string): SubgraphName => {
  const found = SUBGRAPH_NAMES.find((name) => ENUM_OF[name] === value);
  if (!found) throw new GraphQLError(`service: unknown service ${value}`, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
  return found;
};

function requireAdmin(value: unknown): void {
  const context = value as { caller?: Caller | null } | undefined;
  if (!context?.caller) throw new GraphQLError('sign in first', { extensions: { code: ErrorCode.UNAUTHENTICATED } });
  if (context.caller.role !== 'ADMIN') throw new GraphQLError('scheduled jobs are visible to staff admins only', { extensions: { code: ErrorCode.FORBIDDEN } });
}

/** The operations subgraph's schema, asking each service's /internal/jobs. `now` is for `overdue`. */
export function buildOperationsSchema(services: ServiceBaseUrls, env: { NODE_ENV: string; INTERNAL_API_TOKEN?: string }, now: () => number): GraphQLSchema {
  const token = internalApiToken(env);
  const headers = () => internalAuthHeaders(token);
  const withService = (service: SubgraphName, run: JobRun) => ({ ...run, service: ENUM_OF[service] });
  const jobsOf = async (service: SubgraphName) => {
    const { jobs } = await callService<{ jobs: JobStatus[] }>(service, `${services[service]}/internal/jobs`, { headers: headers() });
    return jobs.map((job) => ({
      ...job,
      service: ENUM_OF[service],
      lastRun: job.lastRun ? withService(service, job.lastRun) : null,
      overdue: job.lastSuccessAt === null ? job.lastRun !== null : now() - Date.parse(job.lastSuccessAt) > 2 * job.expectedIntervalSeconds * 1000,
    }));
  };
  return buildSubgraphSchema({
    typeDefs: operationsTypeDefs,
    resolvers: {
      ScheduledJobRun: { counts: (run: JobRun) => countList(run.counts) },
      Query: {
        scheduledJobs: async (_: unknown, { service }: { service?: string | null }, context: unknown) => {
          requireAdmin(context);
          const chosen = service ? [serviceOf(service)] : [...SUBGRAPH_NAMES];
          return (await Promise.all(chosen.map(jobsOf))).flat();
        },
        scheduledJobRuns: async (_: unknown, args: { service: string; job: string; first?: number | null; after?: string | null }, context: unknown) => {
          requireAdmin(context);
          const service = serviceOf(args.service);
          const first = args.first ?? 20;
          if (!Number.isInteger(first) || first < 1 || first > 100) throw new GraphQLError('first: a whole number from 1 to 100', { extensions: { code: 'BAD_USER_INPUT' } });
          const query = new URLSearchParams({ first: String(first), ...(args.after ? { after: args.after } : {}) });
          const page = await callService<{ runs: JobRun[]; totalCount: number; hasNextPage: boolean; endCursor: string | null }>(
            service,
            `${services[service]}/internal/jobs/${encodeURIComponent(args.job)}/runs?${query.toString()}`,
            { headers: headers() },
            { 400: 'BAD_USER_INPUT', 404: 'NOT_FOUND' },
          );
          const edges = page.runs.map(({ cursor, ...run }) => ({ cursor: cursor ?? '', node: withService(service, run) }));
          return {
            edges,
            totalCount: page.totalCount,
            pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: Boolean(args.after), startCursor: null, endCursor: page.endCursor },
          };
        },
      },
    },
  });
}
