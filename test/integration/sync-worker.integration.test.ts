import type { Job } from 'bullmq';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MappingConfig } from '../../src/mapping/compile.js';
import { loadMappings } from '../../src/mapping/load.js';
import { enqueueChanges } from '../../src/pipeline/capture.js';
import type { ChangeJob } from '../../src/pipeline/queues.js';
import { syncRecord } from '../../src/pipeline/sync-record.js';
import { startSyncWorker } from '../../src/pipeline/sync-worker.js';
import { defaultMappingsDir } from '../helpers/mapping.js';
import { buildPipeline, type TestPipeline, unfinishedCount } from '../helpers/pipeline.js';
import { RedisScope, waitFor } from '../helpers/redis.js';

let mapping: MappingConfig;
let scope: RedisScope;
let pipeline: TestPipeline;

beforeAll(async () => {
  mapping = await loadMappings(defaultMappingsDir);
});

beforeEach(() => {
  scope = new RedisScope();
  pipeline = buildPipeline(scope, mapping);
});

afterEach(async () => {
  await scope.cleanup();
});

const HS_ID = '51';
const LEAD_ID = '00Q000000000001AAA';
const hubspotChange: ChangeJob = { system: 'hubspot', object: 'contacts', id: HS_ID };
const salesforceChange: ChangeJob = { system: 'salesforce', object: 'Lead', id: LEAD_ID };

/** A linked, previously synced pair at stage lead, after a marketer set MQL in HubSpot. */
async function seedLinkedPairMovedToMql(): Promise<void> {
  pipeline.salesforce.put('Lead', LEAD_ID, {
    Email: 'ada@example.com',
    FirstName: 'Ada',
    LastName: 'Lovelace',
    Lifecycle_Stage__c: 'Lead',
    Status: 'Open - Not Contacted',
    HubSpot_Contact_Id__c: HS_ID,
    IsConverted: false,
  });
  pipeline.hubspot.put('contacts', HS_ID, {
    email: 'ada@example.com',
    firstname: 'Ada',
    lastname: 'Lovelace',
    lifecyclestage: 'marketingqualifiedlead',
    salesforce_lead_id: LEAD_ID,
  });
  await pipeline.ctx.crosswalk.link(HS_ID, { object: 'Lead', id: LEAD_ID });
  await pipeline.ctx.bases.merge(HS_ID, {
    email: 'ada@example.com',
    firstname: 'Ada',
    lastname: 'Lovelace',
    stage: 'lead',
  });
}

function startWorker(concurrency = 10) {
  const worker = scope.track(
    startSyncWorker(pipeline.ctx, {
      connection: pipeline.workerConnection,
      prefix: scope.prefix,
      concurrency,
    }),
  );
  const completed: Array<Job<ChangeJob>> = [];
  const failed: Array<Job<ChangeJob>> = [];
  worker.on('completed', (job) => completed.push(job));
  worker.on('failed', (job) => {
    if (job) failed.push(job);
  });
  return { worker, completed, failed };
}

const writeQueues = () => pipeline.ctx.queues.writes;

async function queuedWrites(system: 'hubspot' | 'salesforce') {
  return writeQueues()[system].getJobs(['waiting', 'active', 'delayed', 'prioritized']);
}

describe('sync worker (startSyncWorker)', () => {
  it('refuses a cloned record whose link id points at a live pair, and keeps the pair', async () => {
    await seedLinkedPairMovedToMql();
    const cloneId = '00Q000000000002AAA';
    pipeline.salesforce.put('Lead', cloneId, {
      Email: 'bob@example.com',
      LastName: 'Jones',
      Lifecycle_Stage__c: 'Lead',
      Status: 'Open - Not Contacted',
      HubSpot_Contact_Id__c: HS_ID,
      IsConverted: false,
    });
    const { failed } = startWorker();
    await enqueueChanges(pipeline.ctx.queues, [{ system: 'salesforce', object: 'Lead', id: cloneId }]);
    await waitFor('the clone to be dead-lettered', () => failed.length === 1);
    expect(failed[0]?.failedReason).toContain(`already linked to Lead ${LEAD_ID}`);
    expect(await pipeline.ctx.crosswalk.bySalesforceOfHubSpot(HS_ID)).toEqual({
      object: 'Lead',
      id: LEAD_ID,
    });
    expect(await queuedWrites('hubspot')).toHaveLength(0);
  });

  it('logs a stage transition once when the person syncs again before the write lands', async () => {
    await seedLinkedPairMovedToMql();
    const { completed } = startWorker();
    await enqueueChanges(pipeline.ctx.queues, [hubspotChange]);
    await waitFor('the first sync', () => completed.length === 1);
    await enqueueChanges(pipeline.ctx.queues, [salesforceChange]);
    await waitFor('the second sync', () => completed.length === 2);
    const stageEntries = (await pipeline.ctx.ledger.read(100)).filter((entry) => entry.kind === 'stage');
    expect(stageEntries).toHaveLength(1);
    expect(stageEntries[0]).toMatchObject({ from: 'lead', to: 'mql', origin: 'hubspot' });
    // The bookkeeping field never leaks into the canonical base.
    expect(Object.keys((await pipeline.ctx.bases.get(HS_ID)) ?? {})).not.toContain('~logged-stage');
  });

  it('logs a both-sides conflict once when the person syncs again before the write lands', async () => {
    await seedLinkedPairMovedToMql();
    await pipeline.ctx.bases.merge(HS_ID, { title: 'Engineer' });
    pipeline.salesforce.put('Lead', LEAD_ID, {
      ...pipeline.salesforce.get('Lead', LEAD_ID)!.fields,
      Title: 'Chief Architect',
    });
    pipeline.hubspot.put('contacts', HS_ID, {
      ...pipeline.hubspot.get('contacts', HS_ID)!.fields,
      jobtitle: 'Head of Platform',
    });
    const { completed } = startWorker();
    await enqueueChanges(pipeline.ctx.queues, [hubspotChange]);
    await waitFor('the first sync', () => completed.length === 1);
    await enqueueChanges(pipeline.ctx.queues, [salesforceChange]);
    await waitFor('the second sync', () => completed.length === 2);
    const conflicts = (await pipeline.ctx.ledger.read(100)).filter((entry) => entry.kind === 'conflict');
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ field: 'title', from: 'Head of Platform', to: 'Chief Architect' });
  });

  it('turns a HubSpot move to marketingqualifiedlead into exactly one Salesforce write of MQL', async () => {
    await seedLinkedPairMovedToMql();
    await enqueueChanges(pipeline.ctx.queues, [hubspotChange]);
    const { completed, failed } = startWorker();

    await waitFor('the change to be synced', () => completed.length === 1);
    expect(failed).toHaveLength(0);
    expect(completed[0]?.returnvalue).toBe('patched');

    const salesforceWrites = await queuedWrites('salesforce');
    expect(salesforceWrites).toHaveLength(1);
    expect(salesforceWrites[0]?.data).toMatchObject({
      op: 'update',
      system: 'salesforce',
      object: 'Lead',
      id: LEAD_ID,
      fields: { Lifecycle_Stage__c: 'MQL' },
      canonical: { stage: 'mql' },
      person: HS_ID,
      origin: 'hubspot',
    });
    expect(await queuedWrites('hubspot')).toHaveLength(0);
    const stages = (await pipeline.ctx.ledger.read()).filter((e) => e.kind === 'stage');
    expect(stages).toEqual([
      expect.objectContaining({ person: HS_ID, from: 'lead', to: 'mql', origin: 'hubspot' }),
    ]);
    expect(await unfinishedCount(pipeline.ctx.queues.changes)).toBe(0);
  });

  it('dead-letters an unlinked HubSpot contact whose email matches two Salesforce records, naming both', async () => {
    pipeline.hubspot.put('contacts', '77', { email: 'dup@example.com', firstname: 'Dee', lastname: 'Up' });
    pipeline.salesforce.put('Lead', '00Q000000000007AAA', { Email: 'DUP@example.com', LastName: 'Up' });
    pipeline.salesforce.put('Contact', '003000000000008AAA', { Email: 'dup@example.com', LastName: 'Up' });
    await enqueueChanges(pipeline.ctx.queues, [{ system: 'hubspot', object: 'contacts', id: '77' }]);
    const { failed } = startWorker();

    await waitFor('the change to be dead-lettered', () => failed.length === 1);
    const [dead] = await pipeline.ctx.queues.changes.getFailed();
    expect(dead?.attemptsMade).toBe(1); // ambiguity is not retried: a person must decide
    expect(dead?.failedReason).toContain('00Q000000000007AAA');
    expect(dead?.failedReason).toContain('003000000000008AAA');
    expect(dead?.failedReason).toContain('dup@example.com');
    expect(await pipeline.ctx.crosswalk.bySalesforceOfHubSpot('77')).toBeUndefined();
    expect(await queuedWrites('salesforce')).toHaveLength(0);
    expect(await queuedWrites('hubspot')).toHaveLength(0);

    // The contact is edited again and fails the same way: its newest dead letter replaces the first.
    await enqueueChanges(pipeline.ctx.queues, [{ system: 'hubspot', object: 'contacts', id: '77' }]);
    await waitFor('the second failure', () => failed.length === 2);
    await waitFor('one dead letter for the record', async () => {
      const letters = await pipeline.ctx.queues.changes.getFailed();
      return letters.length === 1 && letters[0]?.id === failed[1]?.id;
    });
  });

  it('does not queue duplicate writes when both halves of a pair change and sync concurrently', async () => {
    await seedLinkedPairMovedToMql();
    // Slow reads, so the two jobs would overlap inside the worker without the per-person lock.
    pipeline.hubspot.readDelayMs = 60;
    pipeline.salesforce.readDelayMs = 60;
    await enqueueChanges(pipeline.ctx.queues, [hubspotChange, salesforceChange]);
    const { completed, failed } = startWorker(10);

    await waitFor('both changes to be synced', () => completed.length === 2, { timeoutMs: 8_000 });
    expect(failed).toHaveLength(0);
    // The person lock serialised the two syncs: never two reads of this pair in flight at once.
    expect(pipeline.reads.maxInFlight).toBe(1);
    expect(pipeline.reads.total).toBeGreaterThanOrEqual(4);
    const salesforceWrites = await queuedWrites('salesforce');
    expect(salesforceWrites).toHaveLength(1);
    expect(salesforceWrites[0]?.data.fields).toEqual({ Lifecycle_Stage__c: 'MQL' });
    expect(await queuedWrites('hubspot')).toHaveLength(0);
  });

  it('keeps the pair and its base when the other half linked it while this sync waited for the lock', async () => {
    pipeline.salesforce.put('Lead', LEAD_ID, {
      Email: 'ada@example.com',
      LastName: 'Lovelace',
      Company: 'Analytical Engines',
      Lifecycle_Stage__c: 'MQL',
      Status: 'Open - Not Contacted',
      IsConverted: false,
    });
    pipeline.hubspot.put('contacts', HS_ID, {
      email: 'ada@example.com',
      lastname: 'Lovelace',
      lifecyclestage: 'marketingqualifiedlead',
    });
    const salesforceChange: ChangeJob = { system: 'salesforce', object: 'Lead', id: LEAD_ID };

    // The Salesforce half resolves the pair by email, then waits for the person; meanwhile the
    // HubSpot half syncs and links the same pair.
    await syncRecord(pipeline.ctx, salesforceChange, async () => {
      await syncRecord(pipeline.ctx, hubspotChange);
      return true;
    });

    const links = (await pipeline.ctx.ledger.read(100)).filter((entry) => entry.kind === 'link');
    expect(links).toHaveLength(1);
    expect(await pipeline.ctx.crosswalk.bySalesforceOfHubSpot(HS_ID)).toEqual({
      object: 'Lead',
      id: LEAD_ID,
    });
    expect((await pipeline.ctx.bases.get(HS_ID))?.stage).toBe('mql');
  });

  it('keeps the person locked for as long as the sync runs, past the lock expiry', async () => {
    await seedLinkedPairMovedToMql();
    let release: () => void = () => {};
    pipeline.hubspot.readGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      scope.track(
        startSyncWorker(pipeline.ctx, {
          connection: pipeline.workerConnection,
          prefix: scope.prefix,
          concurrency: 2,
          personLockMs: 300,
        }),
      );
      await enqueueChanges(pipeline.ctx.queues, [hubspotChange]);
      await waitFor('the sync to start reading', () => pipeline.hubspot.readByIdsCalls.length > 0);
      // Well past the 300 ms expiry, the sync still holds the person.
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(await pipeline.ctx.locks.tryAcquire(`person:${HS_ID}`, 1_000)).toBeUndefined();
    } finally {
      release();
    }
    await waitFor('the lock to be released', async () => {
      const token = await pipeline.ctx.locks.tryAcquire(`person:${HS_ID}`, 1_000);
      return token !== undefined;
    });
  });

  it('queues a second job for a change that arrives while the record is being synced', async () => {
    await seedLinkedPairMovedToMql();
    let release: () => void = () => {};
    pipeline.hubspot.readGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await enqueueChanges(pipeline.ctx.queues, [hubspotChange]);
      const { completed } = startWorker(1);
      await waitFor('the sync to start reading', () => pipeline.hubspot.readByIdsCalls.length > 0);
      expect(await pipeline.ctx.queues.changes.getActiveCount()).toBe(1);

      // Kept aside, not run beside the active sync: it is queued when that one finishes.
      await enqueueChanges(pipeline.ctx.queues, [hubspotChange]);
      expect(await pipeline.ctx.queues.changes.getWaitingCount()).toBe(0);
      expect(await unfinishedCount(pipeline.ctx.queues.changes)).toBe(1);

      release();
      await waitFor('both jobs to be synced', () => completed.length === 2, { timeoutMs: 8_000 });
      expect(new Set(completed.map((job) => job.id)).size).toBe(2);
      expect(pipeline.hubspot.readByIdsCalls.filter((c) => c.ids.includes(HS_ID)).length).toBe(2);
    } finally {
      release();
    }
  });
});
