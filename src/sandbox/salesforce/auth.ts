/**
 * OAuth 2 token endpoint (password, refresh_token, JWT bearer grants) and bearer-token checks.
 * Answers follow API-NOTES §1.1: no `expires_in` (a 401 is the only expiry signal), no refresh token
 * in any answer, `id` ending in `/<orgId>/<userId>` because jsforce parses it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { SimRequest, SimResponse } from '../sim-http.js';
import { isPlainObject } from './http-util.js';
import { API_USER_ID, ORG_ID } from './ids.js';

export interface Credentials {
  accessToken: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  username: string;
  password: string;
}

export const DEFAULT_CREDENTIALS: Credentials = {
  accessToken: `${ORG_ID.slice(0, 15)}!AQsimulatedInitialAccessToken`,
  clientId: '3MVG9sim.lockstep.client.id',
  clientSecret: 'sim-client-secret',
  refreshToken: '5Aep861sim.refresh.token',
  username: 'integration@lockstep.test',
  password: 'sim-password',
};

const oauthError = (error: string, description: string, status = 400): SimResponse => ({
  status,
  body: { error, error_description: description },
});

export class AuthState {
  private readonly valid = new Set<string>();

  constructor(
    readonly credentials: Credentials,
    private readonly now: () => number,
    private readonly baseUrl: () => string,
  ) {
    this.valid.add(credentials.accessToken);
  }

  /** True for `Authorization: Bearer <live token>` (jsforce) or `OAuth <token>` (older clients). */
  accepts(header: string | undefined): boolean {
    const match = header ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header.trim()) : null;
    return match ? this.valid.has(match[1]!) : false;
  }

  /** Every session issued so far stops working (refresh tokens keep working). */
  expireSessions(): void {
    this.valid.clear();
  }

  /** Makes `token` a live session, e.g. to hand a test a ready token after expireSessions(). */
  grant(token: string): void {
    this.valid.add(token);
  }

  handleToken(req: SimRequest): SimResponse {
    const form = isPlainObject(req.body) ? req.body : {};
    const param = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined);
    const c = this.credentials;
    const grant = param('grant_type');
    if (!grant) return oauthError('unsupported_grant_type', 'grant type not supported');
    if (grant === 'password') {
      if (param('client_id') !== c.clientId)
        return oauthError('invalid_client_id', 'client identifier invalid');
      if (param('client_secret') !== c.clientSecret)
        return oauthError('invalid_client', 'invalid client credentials');
      if (param('username') !== c.username || param('password') !== c.password) {
        return oauthError('invalid_grant', 'authentication failure');
      }
      return this.issue('api');
    }
    if (grant === 'refresh_token') {
      if (param('client_id') !== c.clientId)
        return oauthError('invalid_client_id', 'client identifier invalid');
      const secret = param('client_secret');
      if (secret !== undefined && secret !== c.clientSecret)
        return oauthError('invalid_client', 'invalid client credentials');
      if (param('refresh_token') !== c.refreshToken)
        return oauthError('invalid_grant', 'expired access/refresh token');
      return this.issue('id api refresh_token');
    }
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const claims = decodeJwtClaims(param('assertion'));
      // The signature is not checked: the simulator has no certificate to check it against.
      if (!claims || claims.iss !== c.clientId)
        return oauthError('invalid_client_id', 'client identifier invalid');
      if (claims.sub !== c.username) return oauthError('invalid_grant', "user hasn't approved this consumer");
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.now()) {
        return oauthError('invalid_grant', 'expired authorization code');
      }
      return this.issue('id api');
    }
    return oauthError('unsupported_grant_type', 'grant type not supported');
  }

  private issue(scope: string): SimResponse {
    const base = this.baseUrl();
    const token = `${ORG_ID.slice(0, 15)}!AQ${randomBytes(24).toString('base64url')}`;
    this.valid.add(token);
    const id = `${base}/id/${ORG_ID}/${API_USER_ID}`;
    const issuedAt = String(this.now());
    const signature = createHmac('sha256', this.credentials.clientSecret)
      .update(id + issuedAt)
      .digest('base64');
    return {
      status: 200,
      body: {
        access_token: token,
        instance_url: base,
        id,
        token_type: 'Bearer',
        issued_at: issuedAt,
        signature,
        scope,
      },
    };
  }
}

function decodeJwtClaims(assertion: string | undefined): Record<string, unknown> | undefined {
  const payload = assertion?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return isPlainObject(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}
