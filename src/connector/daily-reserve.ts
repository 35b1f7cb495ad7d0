/**
 * The share of a vendor's daily API allowance Lockstep leaves to everything else on the org or portal
 * (other integrations, admins' tools). Salesforce counts every call against one org-wide allowance over
 * a rolling 24 hours, and HubSpot counts a portal's private apps against one daily allowance; running
 * either dry stops every integration, not just this one (API-NOTES §1.4, §2.3).
 */
import type { BudgetInfo } from './request-gate.js';

export interface DailyReserve {
  /** Fraction of the daily allowance kept free, 0 to 0.9 (0 turns the reserve off). */
  fraction: number;
  /** Lanes held while the allowance is into the reserve (HubSpot: its search lane counts too). */
  lanes: readonly string[];
  /** The lane whose answers carry the daily figures: one call on it looks again after a pause. */
  reportingLane: string;
  /** How long to hold before one call looks at the vendor's figures again. */
  pauseMs: number;
}

export interface DailyUsage {
  used: number;
  limit: number;
}

/** The daily figures in a response, when the vendor sent both and they make sense. */
export function dailyUsageOf(info: BudgetInfo): DailyUsage | undefined {
  const { dailyUsed: used, dailyLimit: limit } = info;
  if (used === undefined || limit === undefined || !(limit > 0) || !(used >= 0)) return undefined;
  return { used, limit };
}

/** True once fewer calls are left for today than the reserve keeps. */
export function isIntoReserve(usage: DailyUsage, fraction: number): boolean {
  if (!(fraction > 0)) return false;
  return usage.limit - usage.used < usage.limit * fraction;
}
