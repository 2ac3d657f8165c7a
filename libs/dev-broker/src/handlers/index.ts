import type { ApiVersionRange } from '../protocol/api-keys';
import { apiVersionsHandler } from './api-versions';
import { createTopicsHandler } from './create-topics';
import { deleteTopicsHandler } from './delete-topics';
import { describeGroupsHandler } from './describe-groups';
import { fetchHandler } from './fetch';
import { findCoordinatorHandler } from './find-coordinator';
import { heartbeatHandler } from './heartbeat';
import { initProducerIdHandler } from './init-producer-id';
import { joinGroupHandler } from './join-group';
import { leaveGroupHandler } from './leave-group';
import { listGroupsHandler } from './list-groups';
import { listOffsetsHandler } from './list-offsets';
import { metadataHandler } from './metadata';
import { offsetCommitHandler } from './offset-commit';
import { offsetFetchHandler } from './offset-fetch';
import { produceHandler } from './produce';
import { saslAuthenticateHandler } from './sasl-authenticate';
import { saslHandshakeHandler } from './sasl-handshake';
import { syncGroupHandler } from './sync-group';
import type { ApiHandler } from './types';

export const HANDLERS: readonly ApiHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  apiVersionsHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  initProducerIdHandler,
  saslHandshakeHandler,
  saslAuthenticateHandler,
];

/** Exactly what is implemented is what ApiVersions advertises. */
export const SUPPORTED_APIS: readonly ApiVersionRange[] = HANDLERS.map(({ apiKey, minVersion, maxVersion }) => ({
  apiKey,
  minVersion,
  maxVersion,
})).sort((a, b) => a.apiKey - b.apiKey);
