/**
 * Reads HubSpot's budget headers (API-NOTES §2.3, changelog 2018-11-06) for the shared RequestGate.
 * Search responses carry none of them, so this returns undefined there.
 */
import type { BudgetInfo } from '../../src/connector/request-gate.js';

/** Header names as node-fetch reports them: lower case. */
export type ResponseHeaders = Readonly<Record<string, string>>;

function headerInt(headers: ResponseHeaders, name: string): number | undefined {
  const raw = headers[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

export function budgetFromHeaders(headers: ResponseHeaders): BudgetInfo | undefined {
  const info: BudgetInfo = {};
  const remaining = headerInt(headers, 'x-hubspot-ratelimit-remaining');
  const windowMs = headerInt(headers, 'x-hubspot-ratelimit-interval-milliseconds');
  const dailyLimit = headerInt(headers, 'x-hubspot-ratelimit-daily');
  const dailyRemaining = headerInt(headers, 'x-hubspot-ratelimit-daily-remaining');
  if (remaining !== undefined) info.remaining = remaining;
  if (windowMs !== undefined) info.windowMs = windowMs;
  if (dailyLimit !== undefined) info.dailyLimit = dailyLimit;
  // BudgetInfo speaks "used"; HubSpot says "remaining" of the daily allowance.
  if (dailyLimit !== undefined && dailyRemaining !== undefined) info.dailyUsed = dailyLimit - dailyRemaining;
  return Object.keys(info).length > 0 ? info : undefined;
}
