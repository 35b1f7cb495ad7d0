/** Every Redis key Lockstep writes, under one prefix (LOCKSTEP_REDIS_PREFIX), so installs can share a Redis. */
export interface Keyspace {
  prefix: string;
  crosswalkHubSpot: string;
  crosswalkSalesforce: string;
  base(person: string): string;
  cursor(system: string, object: string): string;
  ledger: string;
  /** `<queue>|<record key>` → id of the record's latest dead letter in that queue. */
  deadLetters: string;
  lock(name: string): string;
  gateLog(lane: string): string;
  gatePause(lane: string): string;
  /** Set while a system's daily allowance is into Lockstep's reserve. */
  gateHold(system: string): string;
  /** The one call that looks again at a held lane. */
  gateProbe(lane: string): string;
}

export function keyspace(prefix: string): Keyspace {
  return {
    prefix,
    crosswalkHubSpot: `${prefix}:crosswalk:hubspot`,
    crosswalkSalesforce: `${prefix}:crosswalk:salesforce`,
    base: (person) => `${prefix}:base:${person}`,
    cursor: (system, object) => `${prefix}:cursor:${system}:${object}`,
    ledger: `${prefix}:ledger`,
    deadLetters: `${prefix}:dead-letters`,
    lock: (name) => `${prefix}:lock:${name}`,
    gateLog: (lane) => `${prefix}:gate:${lane}:log`,
    gatePause: (lane) => `${prefix}:gate:${lane}:paused`,
    gateHold: (system) => `${prefix}:gate:reserve:${system}`,
    gateProbe: (lane) => `${prefix}:gate:${lane}:probe`,
  };
}
