/**
 * The HubSpot connector: the only code that knows the HubSpot API (DESIGN.md §2).
 */
import type { Logger } from 'pino';
import type { RequestGate } from '../../src/connector/request-gate.js';
import type { Connector } from '../../src/connector/types.js';
import { getHubSpotClient } from './client.js';
import { type HubSpotConfigInput, hubspotConfigSchema } from './config.js';
import { describeObject } from './describe.js';
import { findByEmails, readByIds } from './read-batch.js';
import { readChanges } from './read-changes.js';
import { HubSpotTransport } from './transport.js';
import { createRecords } from './write-create.js';
import { updateRecords } from './write-update.js';

export {
  DEFAULT_HUBSPOT_BASE_URL,
  type HubSpotConfig,
  type HubSpotConfigInput,
  hubspotConfigSchema,
} from './config.js';
export { HUBSPOT_LANE, HUBSPOT_SEARCH_LANE } from './transport.js';

export interface HubSpotConnectorDeps {
  /** Shared budget: `hubspot-search` before each search call, `hubspot` before any other. */
  gate: RequestGate;
  logger?: Logger;
  /** Clock for rate-limit waits (the daily reset); tests pass a fixed one. */
  now?: () => number;
}

export function createHubSpotConnector(config: HubSpotConfigInput, deps: HubSpotConnectorDeps): Connector {
  const settings = hubspotConfigSchema.parse(config);
  const logger = deps.logger?.child({ system: 'hubspot' });
  const transport = new HubSpotTransport({
    client: getHubSpotClient(settings),
    gate: deps.gate,
    timeoutMs: settings.requestTimeoutMs,
    ...(logger ? { logger } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  return {
    system: 'hubspot',
    readChanges: (object, after, fields, limit) => readChanges(transport, object, after, fields, limit),
    readByIds: (object, ids, fields) => readByIds(transport, object, ids, fields, logger),
    findByEmails: (object, emails, fields) => findByEmails(transport, object, emails, fields, logger),
    updateRecords: (object, patches) => updateRecords(transport, object, patches, logger),
    createRecords: (object, creates) => createRecords(transport, object, creates, logger),
    describe: (object) => describeObject(transport, object),
  };
}
