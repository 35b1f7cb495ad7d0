/**
 * Small helpers shared by the Salesforce route files: REST error bodies (API-NOTES §1.7) and the
 * request headers Salesforce interprets.
 */
import type { SimRequest, SimResponse } from '../sim-http.js';

/** Top-level REST error: an array with one `{message, errorCode[, fields]}` element. */
export function restError(
  status: number,
  errorCode: string,
  message: string,
  fields?: string[],
): SimResponse {
  return { status, body: [{ message, errorCode, ...(fields ? { fields } : {}) }] };
}

export const notFound = (): SimResponse =>
  restError(404, 'NOT_FOUND', 'The requested resource does not exist');

/** `client` of `Sforce-Call-Options: client=lockstep, defaultNamespace=x`, or null. */
export function callClient(req: SimRequest): string | null {
  const header = req.headers['sforce-call-options'];
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return null;
  for (const part of text.split(',')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (key?.toLowerCase() === 'client' && value) return value;
  }
  return null;
}

/** `batchSize` of `Sforce-Query-Options: batchSize=500`, or undefined. */
export function requestedBatchSize(req: SimRequest): number | undefined {
  const header = req.headers['sforce-query-options'];
  const text = Array.isArray(header) ? header.join(',') : header;
  const match = text ? /batchSize\s*=\s*(\d+)/i.exec(text) : null;
  return match ? Number(match[1]) : undefined;
}

/** The `v62.0` path segment, used to build `attributes.url` and `nextRecordsUrl` the way the caller spoke. */
export function versionOf(req: SimRequest): string {
  return req.params.version ?? 'v62.0';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
