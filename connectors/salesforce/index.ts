/**
 * Salesforce connector: the only place that knows jsforce (DESIGN.md §2). Files, one concern each:
 * config (zod) · session + connection + jwt (auth) · rest-client (gate, limits, errors) · soql (pure query
 * text) · query + read (pages, cursor) · write + save-results (collections) · describe · errors.
 */
import type { Logger } from 'pino';
import type { RequestGate } from '../../src/connector/request-gate.js';
import type { Connector } from '../../src/connector/types.js';
import { type SalesforceConfigInput, salesforceConfigSchema } from './config.js';
import { describeObject } from './describe.js';
import { findByEmails, readByIds, readChanges } from './read.js';
import { SalesforceRestClient } from './rest-client.js';
import { createSession } from './session.js';
import { createRecords, updateRecords } from './write.js';

export {
  DEFAULT_API_VERSION,
  DEFAULT_LOGIN_URL,
  type SalesforceConfig,
  type SalesforceConfigInput,
  salesforceConfigFromEnv,
  salesforceConfigSchema,
} from './config.js';
export { SALESFORCE_LANE } from './rest-client.js';
export { SALESFORCE_BATCH_SIZE } from './write.js';

export interface SalesforceDeps {
  /** Shared API budget; every REST call waits on lane `salesforce` and reports `Sforce-Limit-Info`. */
  gate: RequestGate;
  logger?: Logger;
}

export type SalesforceConnector = Connector & { close(): Promise<void> };

/** Validates `config` (throws a ZodError naming the bad keys) and builds the connector; no call is made yet. */
export function createSalesforceConnector(
  config: SalesforceConfigInput,
  deps: SalesforceDeps,
): SalesforceConnector {
  const settings = salesforceConfigSchema.parse(config);
  const logger = deps.logger?.child({ connector: 'salesforce' });
  const session = createSession(settings, logger);
  const client = new SalesforceRestClient(session, deps.gate, {
    timeoutMs: settings.requestTimeoutMs,
    logger,
  });
  return {
    system: 'salesforce',
    readChanges: (object, after, fields, limit) => readChanges(client, object, after, fields, limit),
    readByIds: (object, ids, fields) => readByIds(client, object, ids, fields),
    findByEmails: (object, emails, fields) => findByEmails(client, object, emails, fields),
    updateRecords: (object, patches) => updateRecords(client, object, patches),
    createRecords: (object, creates) => createRecords(client, object, creates),
    describe: (object) => describeObject(client, object),
    close: async () => client.close(),
  };
}
