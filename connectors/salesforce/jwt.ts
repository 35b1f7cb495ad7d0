/**
 * JWT bearer assertion for `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`, signed RS256 with
 * node:crypto so no JWT library is needed. Claims per Salesforce help `remoteaccess_oauth_jwt_flow`:
 * iss = consumer key, sub = username, aud = login URL, exp within 3 minutes.
 */
import { createPrivateKey, sign } from 'node:crypto';

export interface JwtClaimsInput {
  clientId: string;
  username: string;
  /** `https://login.salesforce.com`, `https://test.salesforce.com` or the community URL. */
  audience: string;
  nowMs: number;
}

/** Salesforce rejects assertions whose `exp` is more than 3 minutes away. */
const LIFETIME_SECONDS = 180;

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

export function signJwtAssertion(privateKeyPem: string, input: JwtClaimsInput): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(
    JSON.stringify({
      iss: input.clientId,
      sub: input.username,
      aud: input.audience,
      exp: Math.floor(input.nowMs / 1000) + LIFETIME_SECONDS,
    }),
  );
  const signingInput = `${header}.${claims}`;
  const signature = sign('sha256', Buffer.from(signingInput), createPrivateKey(privateKeyPem));
  return `${signingInput}.${base64url(signature)}`;
}
