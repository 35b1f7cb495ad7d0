/**
 * HubSpot request signature v3 (API-NOTES §3.1): base64 HMAC-SHA256, keyed with the app's client
 * secret, over `method + uri + body + timestamp`. The URI is signed exactly as given and the body as
 * the raw bytes sent, so the receiver must verify against what it received, not a re-serialisation.
 */
import { createHmac } from 'node:crypto';

export interface SignV3Input {
  clientSecret: string;
  method: string;
  /** Full URL: scheme, host, path and query in their original order. */
  uri: string;
  body: string;
  /** Epoch milliseconds, as sent in `X-HubSpot-Request-Timestamp`. */
  timestamp: number | string;
}

export function signV3({ clientSecret, method, uri, body, timestamp }: SignV3Input): string {
  return createHmac('sha256', clientSecret)
    .update(`${method}${uri}${body}${timestamp}`, 'utf8')
    .digest('base64');
}

export const SIGNATURE_HEADERS = {
  signature: 'X-HubSpot-Signature-v3',
  timestamp: 'X-HubSpot-Request-Timestamp',
  version: 'X-HubSpot-Signature-Version',
} as const;
