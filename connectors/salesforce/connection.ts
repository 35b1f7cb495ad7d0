/**
 * Builds the jsforce Connection. Everything that must hold for every request is decided here:
 * the REST version (jsforce would default to 50.0) and the call-options client id (echo suppression).
 */
import { Connection, type ConnectionConfig } from 'jsforce';
import type { SalesforceConfig, TokenGrant } from './config.js';

export type RefreshFn = NonNullable<ConnectionConfig['refreshFn']>;

export function createConnection(
  config: SalesforceConfig,
  grant: TokenGrant,
  refreshFn?: RefreshFn,
): Connection {
  const canMint = grant.kind !== 'none';
  return new Connection({
    version: config.apiVersion,
    loginUrl: config.loginUrl,
    instanceUrl: config.instanceUrl,
    accessToken: config.accessToken,
    // Only hand jsforce a client id when we can mint: with a client id and no refreshFn it installs its own
    // refresh-token delegate, which neither strips a trailing '/' from instance_url nor guards against loops.
    oauth2: {
      loginUrl: config.loginUrl,
      clientId: canMint ? config.clientId : undefined,
      clientSecret: canMint ? config.clientSecret : undefined,
    },
    // Every REST call then carries `Sforce-Call-Options: client=<id>`, which CDC echoes back in
    // `changeOrigin` (API-NOTES §1.10) so our own writes can be recognised.
    callOptions: { client: config.callOptionsClient },
    refreshFn: canMint ? refreshFn : undefined,
  });
}
