/**
 * Keeps the connection's access token valid. Salesforce tokens carry no `expires_in`, so a 401 is the
 * only expiry signal (API-NOTES §1.1, §6.8): jsforce calls our `refreshFn` on a 401 and replays the
 * request. We mint through one function for every grant so each path strips the trailing '/' of
 * `instance_url`, follows refresh-token rotation, and cannot loop.
 */
import { readFile } from 'node:fs/promises';
import type { Connection } from 'jsforce';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type ApiError, AuthError, TransientApiError } from '../../src/connector/errors.js';
import { withDeadline } from '../../src/deadline.js';
import { type SalesforceConfig, tokenGrantOf } from './config.js';
import { createConnection, type RefreshFn } from './connection.js';
import { toApiError } from './errors.js';
import { signJwtAssertion } from './jwt.js';

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * jsforce refreshes again whenever a request sent after the last refresh gets a 401, with no limit. A token
 * rejected right after it was minted (revoked app, missing API permission) would loop forever, so a second
 * mint within this window is refused as an AuthError.
 */
const REMINT_GUARD_MS = 10_000;

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  instance_url: z.string().min(1),
  // Present only when refresh-token rotation is on; the old one is then invalid (API-NOTES §1.1).
  refresh_token: z.string().optional(),
});

export interface SalesforceSession {
  readonly conn: Connection;
  /** Resolves once the connection holds an access token, minting one when the config has none. */
  ready(): Promise<void>;
  /** The typed failure of the last token request: jsforce rewraps refresh errors as plain `Error`s. */
  lastTokenFailure(): ApiError | undefined;
}

/**
 * jsforce posts token requests with its transport's default timeout (30 minutes), and every request
 * waits for a refresh in progress: a stalled login endpoint would freeze all Salesforce traffic.
 */
const TOKEN_REQUEST_TIMEOUT_MS = 30_000;

function tokenTimeout(ms: number): TransientApiError {
  return new TransientApiError(
    'salesforce',
    `the token endpoint did not answer within ${ms} ms`,
    undefined,
    'TIMEOUT',
  );
}

/** The JWT `aud`: Salesforce accepts only its login hosts (or a community URL) there, not My Domain. */
export function jwtAudience(loginUrl: string): string {
  const host = new URL(loginUrl).hostname;
  if (host === 'test.salesforce.com' || host.endsWith('.sandbox.my.salesforce.com'))
    return 'https://test.salesforce.com';
  if (host === 'login.salesforce.com' || host.endsWith('.my.salesforce.com'))
    return 'https://login.salesforce.com';
  // Anything else (a community / Experience Cloud URL) is its own audience.
  return loginUrl.replace(/\/+$/, '');
}

export function createSession(
  config: SalesforceConfig,
  logger?: Logger,
  clock: () => number = Date.now,
): SalesforceSession {
  const grant = tokenGrantOf(config);
  let refreshToken = grant.kind === 'refresh-token' ? grant.refreshToken : undefined;
  let lastMintAt: number | undefined;
  let lastFailure: ApiError | undefined;
  let pendingLogin: Promise<void> | undefined;
  let rotationWarned = false;
  const tokenTimeoutMs = Math.min(TOKEN_REQUEST_TIMEOUT_MS, config.requestTimeoutMs);

  async function requestToken(): Promise<unknown> {
    switch (grant.kind) {
      case 'refresh-token':
        return conn.oauth2.refreshToken(refreshToken ?? grant.refreshToken);
      case 'password':
        // The OAuth password grant jsforce's login() uses when client credentials are set; called directly so
        // login() does not replace our refresh delegate with its own.
        return conn.oauth2.authenticate(grant.username, grant.password);
      case 'jwt': {
        const pem = await readFile(grant.keyFile, 'utf8');
        const assertion = signJwtAssertion(pem, {
          clientId: grant.clientId,
          username: grant.username,
          audience: jwtAudience(config.loginUrl),
          nowMs: clock(),
        });
        // JWT bearer returns no refresh token: every expiry re-mints a new assertion.
        return conn.oauth2.requestToken({ grant_type: JWT_BEARER_GRANT, assertion });
      }
      case 'none':
        throw new AuthError(
          'salesforce',
          'the session expired and no refresh credentials are configured',
          401,
        );
    }
  }

  async function mint(): Promise<string> {
    if (lastMintAt !== undefined && clock() - lastMintAt < REMINT_GUARD_MS) {
      lastFailure = new AuthError(
        'salesforce',
        'Salesforce rejected an access token minted moments ago',
        401,
      );
      throw lastFailure;
    }
    try {
      const parsed = tokenResponseSchema.safeParse(
        await withDeadline(requestToken(), tokenTimeoutMs, () => tokenTimeout(tokenTimeoutMs)),
      );
      if (!parsed.success)
        throw new AuthError('salesforce', 'the token endpoint answered without a usable token');
      const token = parsed.data;
      conn.instanceUrl = token.instance_url.replace(/\/+$/, '');
      conn.accessToken = token.access_token;
      if (token.refresh_token !== undefined && token.refresh_token !== refreshToken) {
        if (grant.kind === 'refresh-token' && !rotationWarned) {
          rotationWarned = true;
          // The new token lives in this process only: a restart, or a second process, would present
          // the spent one from the environment and be refused.
          logger?.warn(
            'Salesforce rotated the refresh token; Lockstep keeps the new one in memory only, so the next restart will be refused. Fix: turn refresh-token rotation off for the connected app',
          );
        }
        refreshToken = token.refresh_token;
      }
      lastMintAt = clock();
      lastFailure = undefined;
      logger?.info({ grant: grant.kind }, 'salesforce session minted');
      return token.access_token;
    } catch (err) {
      lastFailure = withRefreshHint(toApiError(err), grant.kind);
      logger?.warn({ grant: grant.kind, err: lastFailure.message }, 'salesforce token request failed');
      throw lastFailure;
    }
  }

  const refreshFn: RefreshFn = (_conn, callback) => {
    mint().then(
      (accessToken) => callback(null, accessToken),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  };

  const conn = createConnection(config, grant, refreshFn);

  return {
    conn,
    ready() {
      if (conn.accessToken) return Promise.resolve();
      pendingLogin ??= mint().then(
        () => {
          pendingLogin = undefined;
        },
        (err: unknown) => {
          pendingLogin = undefined;
          throw err;
        },
      );
      return pendingLogin;
    },
    lastTokenFailure: () => lastFailure,
  };
}

/** A refused refresh token is nearly always fixed one way: say which. */
function withRefreshHint(error: ApiError, grantKind: string): ApiError {
  if (!(error instanceof AuthError) || grantKind !== 'refresh-token' || error.code !== 'invalid_grant')
    return error;
  return new AuthError(
    'salesforce',
    `${error.message}: the refresh token was refused (revoked, expired, or already spent by refresh-token rotation). Fix: issue a new one into SALESFORCE_REFRESH_TOKEN, with rotation off for the connected app`,
    error.status,
    error.code,
  );
}
