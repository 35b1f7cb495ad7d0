import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthError } from '../../src/connector/errors.js';
import type { MappingConfig } from '../../src/mapping/compile.js';
import {
  enqueueChanges,
  Poller,
  type PollerDeps,
  type PollTarget,
  pollOnce,
} from '../../src/pipeline/capture.js';
import { CaptureMemory } from '../../src/pipeline/capture-memory.js';
import { echoFilter } from '../../src/pipeline/echo-filter.js';
import { SyncHealth } from '../../src/pipeline/health.js';
import {
  CHANGES_QUEUE,
  type ChangeJob,
  createQueues,
  type LockstepQueues,
} from '../../src/pipeline/queues.js';
import { BaseStore } from '../../src/state/base-store.js';
import { Crosswalk } from '../../src/state/crosswalk.js';
import { CursorStore } from '../../src/state/cursor-store.js';
import { Locks } from '../../src/state/lock.js';
import { planSync } from '../../src/sync/plan.js';
import { salesforceReadFields } from '../../src/sync/read-fields.js';
import { FakeConnector } from '../helpers/fake-connector.js';
import { loadDefaultMappings } from '../helpers/mapping.js';
import { RedisScope, waitFor } from '../helpers/redis.js';
import { hubspotSide, salesforceSide } from '../helpers/sides.js';

let scope: RedisScope;
let redis: Redis;
let queues: LockstepQueues;

beforeEach(() => {
  scope = new RedisScope();
  redis = scope.connect();
  queues = scope.track(createQueues(redis, scope.prefix));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await scope.cleanup();
});

const change: ChangeJob = { system: 'hubspot', object: 'contacts', id: '51' };

async function queuedChanges(): Promise<ChangeJob[]> {
  const jobs = await queues.changes.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
  return jobs.map((job) => job.data);
}

describe('enqueueChanges', () => {
  it('folds a second capture of the same record into the job that still waits', async () => {
    await enqueueChanges(queues, [change]);
    await enqueueChanges(queues, [change, { system: 'salesforce', object: 'Lead', id: '00Q1' }]);
    await enqueueChanges(queues, [change]);

    expect(await queues.changes.getWaitingCount()).toBe(2);
    expect(await queuedChanges()).toEqual(
      expect.arrayContaining([change, { system: 'salesforce', object: 'Lead', id: '00Q1' }]),
    );
    expect(await queues.changes.getDeduplicationJobId('hs-contacts-51')).toBeTruthy();
  });

  it('keeps a capture made while the sync runs and queues it as the next job when that one ends', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const taken: string[] = [];
    const worker = scope.track(
      new Worker<ChangeJob>(
        CHANGES_QUEUE,
        async (job: Job<ChangeJob>) => {
          taken.push(job.id!);
          if (taken.length === 1) await held; // the sync is mid-flight: its reads may already be done
        },
        { connection: scope.connect('worker'), prefix: scope.prefix, concurrency: 4 },
      ),
    );
    await enqueueChanges(queues, [change]);
    await waitFor('the worker to take the job', async () => (await queues.changes.getActiveCount()) === 1);

    // The same record changes again, twice, while the first sync runs: neither is folded into it, and
    // they do not start beside it (the free slots stay idle): one next job follows.
    await enqueueChanges(queues, [change]);
    await enqueueChanges(queues, [change]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(taken).toHaveLength(1);
    expect(await queues.changes.getActiveCount()).toBe(1);

    release();
    await waitFor('the next job to be processed', () => taken.length === 2);
    expect(new Set(taken).size).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(taken).toHaveLength(2);
    await worker.close();
  });
});

describe('pollOnce', () => {
  function setup() {
    const hubspot = new FakeConnector('hubspot');
    for (const id of ['101', '102', '103']) hubspot.put('contacts', id, { email: `p${id}@example.com` });
    // Two records on the same timestamp: the compound cursor must keep both.
    hubspot.put('contacts', '105', { email: 'p105@example.com' }, '2024-05-01T10:10:00.000Z');
    hubspot.put('contacts', '104', { email: 'p104@example.com' }, '2024-05-01T10:10:00.000Z');
    const target: PollTarget = { connector: hubspot, object: 'contacts', fields: ['email'], pageSize: 3 };
    const deps: PollerDeps = {
      queues,
      cursors: new CursorStore(redis, scope.keys),
      locks: new Locks(redis, scope.keys),
      logger: pino({ level: 'silent' }),
    };
    return { hubspot, target, deps };
  }

  it('drains two pages, queues each record once and moves the cursor to the last record', async () => {
    const { hubspot, target, deps } = setup();

    expect(await pollOnce(target, deps)).toBe(5);

    expect(hubspot.readChangesCalls).toHaveLength(2);
    expect(hubspot.readChangesCalls[0]?.after).toBeNull();
    expect(hubspot.readChangesCalls[1]?.after).toEqual({ modifiedAt: '2024-05-01T10:00:03.000Z', id: '103' });
    expect(await deps.cursors.get('hubspot', 'contacts')).toEqual({
      modifiedAt: '2024-05-01T10:10:00.000Z',
      id: '105',
    });
    const queued = await queuedChanges();
    expect(queued).toHaveLength(5);
    expect(queued.map((c) => c.id).sort()).toEqual(['101', '102', '103', '104', '105']);
    expect(queued.every((c) => c.system === 'hubspot' && c.object === 'contacts')).toBe(true);

    // Nothing new: the next pass resumes after the cursor and queues nothing.
    expect(await pollOnce(target, deps)).toBe(0);
    expect(hubspot.readChangesCalls.at(-1)?.after).toEqual({
      modifiedAt: '2024-05-01T10:10:00.000Z',
      id: '105',
    });
    expect(await queues.changes.getWaitingCount()).toBe(5);
  });

  it('stops between pages when the poller is stopping, with the cursor after the last page queued', async () => {
    const { hubspot, target, deps } = setup();
    expect(await pollOnce(target, deps, undefined, 50, () => true)).toBe(3);
    expect(hubspot.readChangesCalls).toHaveLength(1);
    expect(await deps.cursors.get('hubspot', 'contacts')).toEqual({
      modifiedAt: '2024-05-01T10:00:03.000Z',
      id: '103',
    });
    // The next start resumes where it stopped.
    expect(await pollOnce(target, deps)).toBe(2);
  });

  it('queues nothing while another process holds the poller lease', async () => {
    const { hubspot, target, deps } = setup();
    const otherProcess = new Locks(scope.connect('other-process'), scope.keys);
    const lease = await otherProcess.tryAcquire('poller:hubspot:contacts', 10_000);
    expect(lease).toBeDefined();

    expect(await pollOnce(target, deps)).toBe(0);
    expect(hubspot.readChangesCalls).toHaveLength(0);
    expect(await queues.changes.getWaitingCount()).toBe(0);
    expect(await deps.cursors.get('hubspot', 'contacts')).toBeNull();

    // Once the lease is released, this process polls again.
    await otherProcess.release('poller:hubspot:contacts', lease!);
    expect(await pollOnce(target, deps)).toBe(5);
  });
});

describe('Poller', () => {
  it('reports rejected credentials to the health /readyz reads, and clears them once a poll goes through', async () => {
    const hubspot = new FakeConnector('hubspot');
    hubspot.put('contacts', '101', { email: 'p101@example.com' });
    const read = hubspot.readChanges.bind(hubspot);
    let reject = true;
    hubspot.readChanges = async (...args) => {
      if (reject) throw new AuthError('hubspot', 'Authentication credentials not found.', 401);
      return read(...args);
    };
    const health = new SyncHealth();
    const poller = new Poller(
      [{ connector: hubspot, object: 'contacts', fields: ['email'], pageSize: 10 }],
      {
        queues,
        cursors: new CursorStore(redis, scope.keys),
        locks: new Locks(redis, scope.keys),
        logger: pino({ level: 'silent' }),
        health,
      },
      20,
    );
    poller.start();
    try {
      await waitFor('the rejection', () => health.problems().length === 1);
      expect(health.problems()[0]).toMatchObject({ system: 'hubspot' });
      reject = false;
      await waitFor('the next poll to go through', () => health.problems().length === 0);
      expect(await queuedChanges()).toEqual([{ system: 'hubspot', object: 'contacts', id: '101' }]);
    } finally {
      await poller.stop();
    }
  });
});

describe('Poller', () => {
  it("keeps polling one system while the other's poll waits on its API budget", async () => {
    const hubspot = new FakeConnector('hubspot');
    const salesforce = new FakeConnector('salesforce');
    // Salesforce's poll sleeps in the gate (a Retry-After under the gate's 15 s), for a second.
    const read = salesforce.readChanges.bind(salesforce);
    salesforce.readChanges = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return read(...args);
    };
    const poller = new Poller(
      [
        { connector: hubspot, object: 'contacts', fields: ['email'], pageSize: 10 },
        { connector: salesforce, object: 'Lead', fields: ['Email'], pageSize: 10 },
      ],
      {
        queues,
        cursors: new CursorStore(redis, scope.keys),
        locks: new Locks(redis, scope.keys),
        logger: pino({ level: 'silent' }),
      },
      20,
    );
    poller.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 600));
      // Every 20 ms for 600 ms: many HubSpot polls, while the first Salesforce one is still waiting.
      expect(hubspot.readChangesCalls.length).toBeGreaterThan(5);
      expect(salesforce.readChangesCalls.length).toBeLessThanOrEqual(1);
    } finally {
      await poller.stop();
    }
  });
});

describe('pollOnce on whole-second stamps (Salesforce)', () => {
  it('captures a second edit of the same record within the same second', async () => {
    const salesforce = new FakeConnector('salesforce');
    const second = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    salesforce.put('Lead', '00Q000000000001AAA', { Status: 'Open - Not Contacted' }, second);
    const target: PollTarget = {
      connector: salesforce,
      object: 'Lead',
      fields: ['Status'],
      pageSize: 200,
      settle: { marginMs: 1_000, precisionMs: 1_000, lowestId: '000000000000000AAA', rereadEveryMs: 1_000 },
    };
    const deps: PollerDeps = {
      queues,
      cursors: new CursorStore(redis, scope.keys),
      locks: new Locks(redis, scope.keys),
      logger: pino({ level: 'silent' }),
    };
    expect(await pollOnce(target, deps)).toBe(1);
    // The job has been picked up (its deduplication key is gone); then the record changes again,
    // keeping the very same (SystemModstamp, Id).
    await queues.changes.obliterate({ force: true });
    salesforce.put('Lead', '00Q000000000001AAA', { Status: 'Working - Contacted' }, second);
    expect(await pollOnce(target, deps)).toBe(1);
    expect(await queuedChanges()).toEqual([
      { system: 'salesforce', object: 'Lead', id: '00Q000000000001AAA' },
    ]);
    // Without the open-second guard the saved cursor would already sit on the record.
    const saved = await deps.cursors.get('salesforce', 'Lead');
    expect(Date.parse(saved!.modifiedAt)).toBeLessThan(Date.parse(second));
  });
});

describe('pollOnce on a lagging search index (HubSpot)', () => {
  const lag = { marginMs: 60_000, precisionMs: 1, lowestId: '0', rereadEveryMs: 0 };
  const deps = (): PollerDeps => ({
    queues,
    cursors: new CursorStore(redis, scope.keys),
    locks: new Locks(redis, scope.keys),
    logger: pino({ level: 'silent' }),
  });

  it('captures an update that the index shows only after a newer one was read', async () => {
    const hubspot = new FakeConnector('hubspot');
    const now = Date.now();
    hubspot.put('contacts', '52', { email: 'grace@example.com' }, new Date(now - 1_000).toISOString());
    const target: PollTarget = {
      connector: hubspot,
      object: 'contacts',
      fields: ['email'],
      pageSize: 200,
      settle: lag,
    };
    const memory = new CaptureMemory(0);
    const poller = deps();

    expect(await pollOnce(target, poller, memory)).toBe(1);
    // Contact 51 was updated 20 s ago, but the search index only shows it now.
    hubspot.put('contacts', '51', { email: 'ada@example.com' }, new Date(now - 20_000).toISOString());
    expect(await pollOnce(target, poller, memory)).toBe(1);
    expect(await queuedChanges()).toEqual(
      expect.arrayContaining([
        { system: 'hubspot', object: 'contacts', id: '51' },
        { system: 'hubspot', object: 'contacts', id: '52' },
      ]),
    );
    // Contact 52, read again unchanged, was not queued twice.
    expect(await queues.changes.getWaitingCount()).toBe(2);
  });

  it('between re-reads the saved cursor stays settled against the last re-read, not the clock', async () => {
    // Re-read every 10 s; polls in between start at the furthest record read. Without settling against
    // the last re-read, the poll at +9 s would save a cursor past contact 51 before any re-read saw it.
    const t0 = Date.now();
    let clock = t0;
    vi.spyOn(Date, 'now').mockImplementation(() => clock);
    const hubspot = new FakeConnector('hubspot');
    const target: PollTarget = {
      connector: hubspot,
      object: 'contacts',
      fields: ['email'],
      pageSize: 200,
      settle: { ...lag, rereadEveryMs: 10_000 },
    };
    const memory = new CaptureMemory(10_000);
    const poller = deps();
    const at = (ms: number) => new Date(t0 + ms).toISOString();

    hubspot.put('contacts', '52', { email: 'grace@example.com' }, at(-1_000));
    expect(await pollOnce(target, poller, memory)).toBe(1); // a re-read
    clock = t0 + 5_000;
    // Contact 51 was updated 58 s ago; the index shows it only now (within the 60 s lag).
    hubspot.put('contacts', '51', { email: 'ada@example.com' }, at(-53_000));
    expect(await pollOnce(target, poller, memory)).toBe(0); // starts after 52: cannot see 51
    clock = t0 + 9_000;
    hubspot.put('contacts', '53', { email: 'alan@example.com' }, at(8_000));
    expect(await pollOnce(target, poller, memory)).toBe(1);
    clock = t0 + 10_000;
    expect(await pollOnce(target, poller, memory)).toBe(1); // the next re-read finds 51
    expect((await queuedChanges()).map((c) => c.id).sort()).toEqual(['51', '52', '53']);
  });

  it('without the lag window the late update falls behind the cursor (why the window exists)', async () => {
    const hubspot = new FakeConnector('hubspot');
    const now = Date.now();
    hubspot.put('contacts', '52', { email: 'grace@example.com' }, new Date(now - 1_000).toISOString());
    const target: PollTarget = { connector: hubspot, object: 'contacts', fields: ['email'], pageSize: 200 };
    const poller = deps();

    expect(await pollOnce(target, poller)).toBe(1);
    hubspot.put('contacts', '51', { email: 'ada@example.com' }, new Date(now - 20_000).toISOString());
    expect(await pollOnce(target, poller)).toBe(0);
  });
});

describe('pollOnce with the echo check and the capture memory', () => {
  const LEAD = '00Q000000000001AAA';
  const leadFields = {
    Email: 'ada@example.com',
    FirstName: 'Ada',
    LastName: 'Lovelace',
    Status: 'Open - Not Contacted',
    Lifecycle_Stage__c: 'Lead',
    HubSpot_Contact_Id__c: '51',
  };

  async function setup() {
    const mapping = await loadDefaultMappings();
    const crosswalk = new Crosswalk(redis, scope.keys);
    const bases = new BaseStore(redis, scope.keys);
    const salesforce = new FakeConnector('salesforce');
    const target: PollTarget = {
      connector: salesforce,
      object: 'Lead',
      fields: salesforceReadFields(mapping, 'Lead'),
      pageSize: 200,
      settle: { marginMs: 1_000, precisionMs: 1_000, lowestId: '000000000000000AAA', rereadEveryMs: 1_000 },
    };
    const deps: PollerDeps = {
      queues,
      cursors: new CursorStore(redis, scope.keys),
      locks: new Locks(redis, scope.keys),
      logger: pino({ level: 'silent' }),
      needsSync: echoFilter({ mapping, crosswalk, bases }),
    };
    await crosswalk.link('51', { object: 'Lead', id: LEAD });
    await bases.merge('51', {
      email: 'ada@example.com',
      firstname: 'Ada',
      lastname: 'Lovelace',
      stage: 'lead',
    });
    return { salesforce, target, deps, mapping, bases };
  }

  /** The base a first sync of the Ada pair would leave: both sides agree on every mapped value. */
  async function agreeOnAda(bases: BaseStore, mapping: MappingConfig) {
    const hubspot = hubspotSide({
      email: 'ada@example.com',
      firstname: 'Ada',
      lastname: 'Lovelace',
      lifecyclestage: 'lead',
    });
    await bases.merge(
      '51',
      planSync({ mapping, hubspot, salesforce: salesforceSide(leadFields), base: null }).settled,
    );
  }

  it('does not queue a linked record that holds its base (our own write coming back)', async () => {
    const { salesforce, target, deps, mapping, bases } = await setup();
    await agreeOnAda(bases, mapping);
    salesforce.put('Lead', LEAD, leadFields);
    salesforce.put('Lead', '00Q000000000002AAA', { Email: 'grace@example.com', LastName: 'Hopper' });

    expect(await pollOnce(target, deps)).toBe(1);
    expect(await queuedChanges()).toEqual([
      { system: 'salesforce', object: 'Lead', id: '00Q000000000002AAA' },
    ]);
  });

  it('queues the same record once while it is re-read unchanged, and again when its content changes', async () => {
    const { salesforce, target, deps } = await setup();
    // A stamp a few seconds ahead stays in the open window for the whole test.
    const second = new Date(Math.floor(Date.now() / 1000) * 1000 + 5_000).toISOString();
    salesforce.put('Lead', LEAD, { ...leadFields, Status: 'Working - Contacted' }, second);
    // Every poll re-reads the open window (no period between re-reads).
    const memory = new CaptureMemory(0);

    expect(await pollOnce(target, deps, memory)).toBe(1);
    await queues.changes.obliterate({ force: true });
    // Re-read (the second is still open) with the same content: nothing new to sync.
    expect(await pollOnce(target, deps, memory)).toBe(0);
    // A second edit within the same second keeps the stamp; its content differs, so it is queued.
    salesforce.put('Lead', LEAD, { ...leadFields, Status: 'Closed - Not Converted' }, second);
    expect(await pollOnce(target, deps, memory)).toBe(1);
    expect(await queuedChanges()).toEqual([{ system: 'salesforce', object: 'Lead', id: LEAD }]);
  });

  it('checks an echo once: re-reading it unchanged asks neither the echo check nor Redis again', async () => {
    const { salesforce, target, deps, mapping, bases } = await setup();
    await agreeOnAda(bases, mapping);
    const second = new Date(Math.floor(Date.now() / 1000) * 1000 + 5_000).toISOString();
    salesforce.put('Lead', LEAD, leadFields, second);
    const checked: string[][] = [];
    const filter = deps.needsSync!;
    const counting: PollerDeps = {
      ...deps,
      needsSync: async (records) => {
        checked.push(records.map((r) => r.id));
        return filter(records);
      },
    };
    const memory = new CaptureMemory(0);

    expect(await pollOnce(target, counting, memory)).toBe(0);
    expect(await pollOnce(target, counting, memory)).toBe(0);
    expect(checked).toEqual([[LEAD], []]);
    // A real edit to the echoed record is still seen.
    salesforce.put('Lead', LEAD, { ...leadFields, Status: 'Working - Contacted' }, second);
    expect(await pollOnce(target, counting, memory)).toBe(1);
  });
});
