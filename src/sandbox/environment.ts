/**
 * Starts both CRM simulators on loopback and returns the env vars that point Lockstep at them. The
 * daemon gets no other hint that it is in a sandbox (DESIGN.md §4): the sandbox command, the e2e tests
 * and the benchmark all go through these same variables.
 */
import { HubSpotSimulator, type HubSpotSimulatorOptions } from './hubspot/index.js';
import { SalesforceSimulator, type SalesforceSimulatorOptions } from './salesforce/index.js';

export interface SimulatorEnvironment {
  salesforce: SalesforceSimulator;
  hubspot: HubSpotSimulator;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startSimulators(
  options: { salesforce?: SalesforceSimulatorOptions; hubspot?: HubSpotSimulatorOptions } = {},
): Promise<SimulatorEnvironment> {
  const salesforce = new SalesforceSimulator(options.salesforce);
  const hubspot = new HubSpotSimulator(options.hubspot);
  const salesforceUrl = await salesforce.start();
  const hubspotUrl = await hubspot.start();
  const credentials = salesforce.credentials;
  return {
    salesforce,
    hubspot,
    env: {
      // The OAuth refresh-token flow, as a production install would use it.
      SALESFORCE_LOGIN_URL: salesforceUrl,
      SALESFORCE_CLIENT_ID: credentials.clientId,
      SALESFORCE_CLIENT_SECRET: credentials.clientSecret,
      SALESFORCE_REFRESH_TOKEN: credentials.refreshToken,
      HUBSPOT_BASE_URL: hubspotUrl,
      HUBSPOT_ACCESS_TOKEN: 'pat-sandbox',
    },
    async stop() {
      await Promise.all([salesforce.stop(), hubspot.stop()]);
    },
  };
}
