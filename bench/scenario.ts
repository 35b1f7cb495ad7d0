/**
 * What the benchmark does to the simulated CRMs: seed linked people, change their lifecycle stage the
 * way users would (through the simulators' in-process store API, not HTTP), and watch the stores until
 * every change shows up on the other side.
 */
import { performance } from 'node:perf_hooks';
import type { LockstepQueues } from '../src/pipeline/queues.js';
import type { HubSpotSimulator } from '../src/sandbox/hubspot/index.js';
import { busyJobs } from '../src/sandbox/idle.js';
import type { SalesforceSimulator } from '../src/sandbox/salesforce/index.js';

export interface Person {
  email: string;
  hubspotId: string;
  leadId: string;
}

/** The value each side shows once a change made on the other side has arrived. */
export const EXPECTED = {
  /** Changed in HubSpot (lifecyclestage → MQL): Salesforce Lead `Lifecycle_Stage__c`. */
  inSalesforce: 'MQL',
  /** Changed in Salesforce (Status → Working - Contacted, i.e. SQL): HubSpot `lifecyclestage`. */
  inHubSpot: 'salesqualifiedlead',
} as const;

export class BenchTimeoutError extends Error {
  override name = 'BenchTimeoutError';
}

/** N people on both sides, same email, consistent values (stage `lead` everywhere). */
export function seedLinkedPeople(
  hubspot: HubSpotSimulator,
  salesforce: SalesforceSimulator,
  n: number,
): Person[] {
  const people: Person[] = [];
  for (let i = 0; i < n; i += 1) {
    const email = `bench.person${i}@example.com`;
    const firstname = 'Bench';
    const lastname = `Person${i}`;
    const company = `Bench Company ${i % 97}`;
    const hubspotId = hubspot.createContact({
      email,
      firstname,
      lastname,
      company,
      jobtitle: 'Engineer',
      lifecyclestage: 'lead',
    });
    const leadId = salesforce.insert('Lead', {
      Email: email,
      FirstName: firstname,
      LastName: lastname,
      Company: company,
      Title: 'Engineer',
      Status: 'Open - Not Contacted',
      Lifecycle_Stage__c: 'Lead',
    });
    people.push({ email, hubspotId, leadId });
  }
  return people;
}

export interface Change {
  person: Person;
  /** Where the user made the change. */
  origin: 'hubspot' | 'salesforce';
  /** performance.now() right after the store accepted it. */
  at: number;
  /** performance.now() when first seen on the other side. */
  seenAt?: number;
}

/** All changes at once: even people in HubSpot (→ MQL), odd people in Salesforce (→ Working - Contacted). */
export function applyBulkChanges(
  hubspot: HubSpotSimulator,
  salesforce: SalesforceSimulator,
  people: Person[],
): Change[] {
  return people.map((person, i) => {
    const origin = i % 2 === 0 ? 'hubspot' : 'salesforce';
    if (origin === 'hubspot')
      hubspot.updateContact(person.hubspotId, { lifecyclestage: 'marketingqualifiedlead' });
    else salesforce.update('Lead', person.leadId, { Status: 'Working - Contacted' });
    return { person, origin, at: performance.now() };
  });
}

export interface WatchStats {
  /** Looks at the write counters (every `everyMs`). */
  samples: number;
  /** Looks at the stores themselves (only after the side took a write call, plus a periodic full look). */
  scans: number;
  /** Time spent inside the sampler (it runs in the daemon's process and takes CPU from it). */
  busyMs: number;
  /** Mean gap between the starts of two samples. */
  meanGapMs: number;
}

/** A full look at a side's store at least this often, even when its write counter did not move. */
const FULL_SCAN_EVERY_MS = 500;

/**
 * Every `everyMs` (after the previous sample finished) stamps each change the first time its value is
 * visible on the other side. A value can only arrive through an API write call, and the simulators
 * count a call in the same tick as they apply it, so a side's store is only read when its write counter
 * moved since the last look (plus a full look every 500 ms as a safety net): reading thousands of
 * records every 20 ms would take a large share of the CPU the daemon under test shares with the bench.
 * Resolves when all changes are seen.
 */
export function watchPropagation(
  hubspot: HubSpotSimulator,
  salesforce: SalesforceSimulator,
  changes: Change[],
  everyMs: number,
  deadline: number,
): Promise<WatchStats> {
  const sides = [
    {
      // Changed in Salesforce: look for the stage in HubSpot.
      writes: () => hubspot.calls().writes,
      arrived: (c: Change) =>
        hubspot.getContact(c.person.hubspotId)?.properties.lifecyclestage === EXPECTED.inHubSpot,
      pending: changes.filter((c) => c.origin === 'salesforce' && c.seenAt === undefined),
      lastWrites: -1,
      lastScan: 0,
    },
    {
      writes: () => salesforce.calls().writes,
      arrived: (c: Change) =>
        salesforce.get('Lead', c.person.leadId)?.Lifecycle_Stage__c === EXPECTED.inSalesforce,
      pending: changes.filter((c) => c.origin === 'hubspot' && c.seenAt === undefined),
      lastWrites: -1,
      lastScan: 0,
    },
  ];
  let samples = 0;
  let scans = 0;
  let busyMs = 0;
  const first = performance.now();
  const sample = () => {
    const start = performance.now();
    samples += 1;
    for (const side of sides) {
      if (side.pending.length === 0) continue;
      const writes = side.writes();
      if (writes === side.lastWrites && start - side.lastScan < FULL_SCAN_EVERY_MS) continue;
      scans += 1;
      side.lastWrites = writes;
      side.lastScan = start;
      side.pending = side.pending.filter((change) => {
        const seen = side.arrived(change);
        if (seen) change.seenAt = start;
        return !seen;
      });
    }
    busyMs += performance.now() - start;
  };
  const left = () => sides.reduce((sum, side) => sum + side.pending.length, 0);
  return new Promise((resolve, reject) => {
    const tick = () => {
      sample();
      if (left() === 0)
        return resolve({ samples, scans, busyMs, meanGapMs: (performance.now() - first) / samples });
      if (Date.now() > deadline)
        return reject(new BenchTimeoutError(`${left()} of ${changes.length} changes had not propagated`));
      setTimeout(tick, everyMs);
    };
    tick();
  });
}

/**
 * Waits until no queue has waiting, active or delayed jobs for `settleMs` in a row. `atQuietStart` runs
 * each time a quiet stretch begins; the value from the stretch that lasted is returned with its start.
 */
export async function waitQuiet<T>(
  queues: LockstepQueues,
  settleMs: number,
  deadline: number,
  what: string,
  atQuietStart: () => T,
): Promise<{ quietSince: number; snapshot: T }> {
  let quiet: { quietSince: number; snapshot: T } | undefined;
  while (Date.now() < deadline) {
    if ((await busyJobs(queues)) === 0) {
      quiet ??= { quietSince: performance.now(), snapshot: atQuietStart() };
      if (performance.now() - quiet.quietSince >= settleMs) return quiet;
    } else quiet = undefined;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new BenchTimeoutError(`the pipeline did not go idle (${what})`);
}

/** Resolves when `check` is true, polling every `everyMs`; throws BenchTimeoutError at the deadline. */
export async function waitUntil(
  check: () => Promise<boolean>,
  everyMs: number,
  deadline: number,
  what: string,
): Promise<void> {
  while (!(await check())) {
    if (Date.now() > deadline) throw new BenchTimeoutError(what);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
