/**
 * Reads the org's daily API usage from `Sforce-Limit-Info`, returned on every REST response
 * (API-NOTES §1.4), e.g. `api-usage=18/5000; per-app-api-usage=17/250(appName=x)`.
 */
import type { BudgetInfo } from '../../src/connector/request-gate.js';

/** Same pattern jsforce uses for `conn.limitInfo`; `per-app-api-usage` must not match, hence the anchor. */
const API_USAGE = /(?:^|[\s;,])api-usage=(\d+)\/(\d+)/;

export function parseLimitInfo(
  header: string | undefined,
): Pick<BudgetInfo, 'dailyUsed' | 'dailyLimit'> | undefined {
  if (header === undefined) return undefined;
  const match = API_USAGE.exec(header);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { dailyUsed: Number(match[1]), dailyLimit: Number(match[2]) };
}
