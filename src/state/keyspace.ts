/** Every Redis key Lockstep writes, under one prefix (LOCKSTEP_REDIS_PREFIX), so installs can share a Redis. */
export interface Keyspace {
  prefix: string;
  crosswalkHubSpot: string;
  crosswalkSalesforce: string;
  base(person: string): string;
  cursor(system: string, object: string): string;
  ledger: string;
  lock(name: string): string;
  gateWindow(lane: string, window: number): string;
  gatePause(lane: string): string;
}

export function keyspace(prefix: string): Keyspace {
  return {
    prefix,
    crosswalkHubSpot: `${prefix}:crosswalk:hubspot`,
    crosswalkSalesforce: `${prefix}:crosswalk:salesforce`,
    base: (person) => `${prefix}:base:${person}`,
    cursor: (system, object) => `${prefix}:cursor:${system}:${object}`,
    ledger: `${prefix}:ledger`,
    lock: (name) => `${prefix}:lock:${name}`,
    gateWindow: (lane, window) => `${prefix}:gate:${lane}:${window}`,
    gatePause: (lane) => `${prefix}:gate:${lane}:paused`,
  };
}
