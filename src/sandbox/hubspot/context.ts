/**
 * What the route files share: the store, the clock, who API writes are attributed to, and a hook
 * to count writes that changed nothing (the echo-free-sync assertions rely on it).
 */
import type { ChangeSource, HubSpotStore } from './store.js';

export interface RouteContext {
  store: HubSpotStore;
  now: () => number;
  /** History / webhook attribution of writes made through the API (`INTEGRATION` + app id). */
  apiSource: ChangeSource;
  /** Called by every successful write call: how many inputs it had and how many changed nothing. */
  noteWrite(route: string, inputs: number, unchanged: number): void;
}

export const MAX_BATCH_INPUTS = 100;
