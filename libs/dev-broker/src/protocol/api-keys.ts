/** Kafka API keys this broker knows about (numbers fixed by the protocol). */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  SaslAuthenticate: 36,
} as const;

export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey];

export interface ApiVersionRange {
  readonly apiKey: ApiKey;
  readonly minVersion: number;
  readonly maxVersion: number;
}

const NAMES = new Map<number, string>(Object.entries(ApiKey).map(([name, key]) => [key, name]));

export function apiName(apiKey: number): string {
  return NAMES.get(apiKey) ?? `Unknown(${apiKey})`;
}
