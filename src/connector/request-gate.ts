/**
 * A gate every outbound API call passes through, so one budget is shared by every worker and every
 * process (the Redis implementation lives in src/state). Connectors call `acquire` before a request and
 * `observe` with the response headers they got back, so the gate can follow the vendor's own figures.
 */
export interface RequestGate {
  /** Resolves when a call on `lane` may be made (e.g. `hubspot`, `hubspot-search`, `salesforce`). */
  acquire(lane: string): Promise<void>;
  /** Feeds back what the vendor said about the remaining budget. */
  observe(lane: string, info: BudgetInfo): void;
}

/** The code of a RateLimitedError a gate throws itself, no vendor asked: its pause was said where it was set. */
export const GATE_HELD = 'GATE_HELD';

export interface BudgetInfo {
  /** Calls left in the current window, when the vendor says. */
  remaining?: number;
  /** Window size in ms (HubSpot X-HubSpot-RateLimit-Interval-Milliseconds). */
  windowMs?: number;
  /** Daily figures (Salesforce Sforce-Limit-Info api-usage, HubSpot X-HubSpot-RateLimit-Daily*). */
  dailyUsed?: number;
  dailyLimit?: number;
  /** The vendor asked us to wait this long (Retry-After, 429). */
  retryAfterMs?: number;
}

/** A gate that never waits: for one-shot commands and tests that do not exercise budgets. */
export const openGate: RequestGate = {
  acquire: async () => {},
  observe: () => {},
};
