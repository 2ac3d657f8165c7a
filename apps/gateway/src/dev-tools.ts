import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, type GraphQLSchema, parse } from 'graphql';
import { type Caller, ErrorCode } from '@offboarding/platform';
import { SUBGRAPH_NAMES, type SubgraphName } from './gateway-config';

// The `dev` subgraph: controls for the whole running stack that exist only outside production.
// The gateway serves it itself (at /_dev/graphql) and composes it into supergraph.dev.graphql;
// in production it serves supergraph.graphql, which does not have these fields at all.

export const DEV_SUBGRAPH_NAME = 'dev';
export const DEV_SUBGRAPH_PATH = '/_dev/graphql';
const DAY_MS = 86_400_000;
const MAX_DAYS = 3650;

export const devTypeDefsSource = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])

  scalar DateTime

  "One service's clock."
  type DevServiceClock {
    service: String!
    now: DateTime!
    offsetMs: Float!
  }

  "The stack's shifted clock. Only outside production."
  type DevClock {
    "Now, as every service sees it."
    now: DateTime!
    "How far the stack runs ahead of real time, in days."
    offsetDays: Float!
    services: [DevServiceClock!]!
  }

  "One run of one scheduled job in one service."
  type DevJobRun {
    service: String!
    job: String!
    "COMPLETED, SKIPPED_LOCKED or FAILED."
    status: String!
    "How many items it changed: the sum of counts."
    processed: Int!
    "What it did, counted by kind (e.g. entitlementsCancelled 3), sorted by kind."
    counts: [DevJobRunCount!]!
    durationMs: Int!
    error: String
  }

  "One kind of thing a job run did, and how many times."
  type DevJobRunCount {
    what: String!
    count: Int!
  }

  type Query {
    "The stack's current (shifted) time. Development and test only."
    _devNow: DevClock!
  }

  type Mutation {
    "Moves the clock of every service forward by whole days (1 to 3650). Development and test only."
    _devAdvanceClock(days: Int!): DevClock!
    "Runs every scheduled job of every service once, publishes what they wrote, and returns when all are done."
    _devRunScheduledJobs: [DevJobRun!]!
  }
`;
export const devTypeDefs = parse(devTypeDefsSource);

interface ServiceClock {
  now: string;
  offsetMs: number;
}

interface JobRun {
  service: string;
  job: string;
  status: string;
  processed: number;
  counts?: Record<string, number>;
  durationMs: number;
  error: string | null;
}

export type ServiceBaseUrls = Record<SubgraphName, string>;

/** A run's counts as the API lists them: one entry per kind, sorted by kind. */
export function countList(counts: Record<string, number> | undefined): { what: string; count: number }[] {
  return Object.entries(counts ?? {})
    .map(([what, count]) => ({ what, count }))
    .sort((a, b) => a.what.localeCompare(b.what));
}

/** The dev controls move the whole stack through time: staff admins only. */
function requireAdmin(value: unknown): void {
  const context = value as DevContext | undefined;
  if (!context?.caller) throw new GraphQLError('sign in first: the development controls need an access token', { extensions: { code: ErrorCode.UNAUTHENTICATED } });
  if (context.caller.role !== 'ADMIN') throw new GraphQLError('the development controls need the role ADMIN', { extensions: { code: ErrorCode.FORBIDDEN } });
}
type DevContext = { caller?: Caller | null };

/**
 * Calls a service's HTTP endpoint and reads its JSON answer; a refusal becomes a GraphQL error
 * (SERVICE_UNAVAILABLE, or the code `codes` gives its status, e.g. 404 NOT_FOUND).
 */
export async function callService<T>(service: string, url: string, init: RequestInit = {}, codes: Record<number, ErrorCode> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) }, signal: AbortSignal.timeout(300_000) });
  } catch (error) {
    throw new GraphQLError(`${service} is unreachable: ${(error as Error).message}`, { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } });
  }
  if (!res.ok) {
    const body = await res.text();
    const code = codes[res.status];
    let reason = `${service} refused ${init.method ?? 'GET'} ${new URL(url).pathname}: ${res.status} ${body}`;
    if (code) {
      try {
        const { message } = JSON.parse(body) as { message?: unknown };
        reason = typeof message === 'string' ? message : body;
      } catch {
        reason = body;
      }
    }
    throw new GraphQLError(reason, { extensions: { code: code ?? ErrorCode.SERVICE_UNAVAILABLE } });
  }
  return (await res.json()) as T;
}

/** The dev subgraph's schema, talking to each service's /internal/dev endpoints. */
export function buildDevSchema(services: ServiceBaseUrls): GraphQLSchema {
  const clocks = async () =>
    Promise.all(
      SUBGRAPH_NAMES.map(async (service) => ({ service, ...(await callService<ServiceClock>(service, `${services[service]}/internal/dev/clock`)) })),
    );
  const summary = (all: (ServiceClock & { service: string })[]) => {
    // The service furthest ahead speaks for the stack (a restarted one may lag until the next advance).
    const ahead = all.reduce((best, clock) => (clock.offsetMs > best.offsetMs ? clock : best));
    return { now: ahead.now, offsetDays: ahead.offsetMs / DAY_MS, services: all };
  };

  return buildSubgraphSchema({
    typeDefs: devTypeDefs,
    resolvers: {
      DevJobRun: { counts: (run: JobRun) => countList(run.counts) },
      Query: {
        _devNow: async (_: unknown, _args: unknown, context: unknown) => {
          requireAdmin(context);
          return summary(await clocks());
        },
      },
      Mutation: {
        _devAdvanceClock: async (_: unknown, { days }: { days: number }, context: unknown) => {
          requireAdmin(context);
          if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
            throw new GraphQLError(`days: must be a whole number from 1 to ${MAX_DAYS}`, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
          }
          // A service that restarted is behind: everyone moves to the furthest clock plus `days`.
          const offsetMs = Math.max(...(await clocks()).map((clock) => clock.offsetMs)) + days * DAY_MS;
          const all = await Promise.all(
            SUBGRAPH_NAMES.map(async (service) => ({
              service,
              ...(await callService<ServiceClock>(service, `${services[service]}/internal/dev/clock`, {
                method: 'PUT',
                body: JSON.stringify({ offsetMs }),
              })),
            })),
          );
          return summary(all);
        },
        _devRunScheduledJobs: async (_: unknown, _args: unknown, context: unknown) => {
          requireAdmin(context);
          const runs: JobRun[] = [];
          // In the order events flow, so one call moves a chain of due work as far as it can.
          for (const service of SUBGRAPH_NAMES) {
            const result = await callService<{ runs: JobRun[] }>(service, `${services[service]}/internal/dev/jobs/run`, { method: 'POST', body: '{}' });
            runs.push(...result.runs);
          }
          return runs;
        },
      },
    },
  });
}
