import type { Job } from 'bullmq';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TransientApiError } from '../../src/connector/errors.js';
import type { MappingConfig } from '../../src/mapping/compile.js';
import type { WriteJob } from '../../src/pipeline/queues.js';
import { enqueueWrite } from '../../src/pipeline/write-enqueue.js';
import { loadDefaultMappings } from '../helpers/mapping.js';
import { buildPipeline, startTestWriter, type TestPipeline, unfinishedCount } from '../helpers/pipeline.js';
import { RedisScope, waitFor } from '../helpers/redis.js';

let mapping: MappingConfig;
let scope: RedisScope;
let pipeline: TestPipeline;

beforeAll(async () => {
  mapping = await loadDefaultMappings();
});

beforeEach(() => {
  scope = new RedisScope();
  pipeline = buildPipeline(scope, mapping);
});

afterEach(async () => {
  await scope.cleanup();
});

const LEAD = '00Q000000000001AAA';

function startWriterFor(system: 'hubspot' | 'salesforce') {
  const writer = startTestWriter(scope, pipeline, { system, batchSize: 100 });
  const completed: Array<Job<WriteJob>> = [];
  const failed: Array<Job<WriteJob>> = [];
  writer.on('completed', (job) => completed.push(job));
  writer.on('failed', (job) => {
    if (job) failed.push(job);
  });
  return { completed, failed };
}

function stageUpdate(overrides: Partial<WriteJob> = {}): WriteJob {
  return {
    op: 'update',
    system: 'salesforce',
    object: 'Lead',
    id: LEAD,
    fields: { Lifecycle_Stage__c: 'MQL' },
    canonical: { stage: 'mql' },
    previous: { Lifecycle_Stage__c: 'Lead' },
    person: 'hs-1',
    origin: 'hubspot',
    label: 'ada@example.com',
    ...overrides,
  };
}

function leadCreate(): WriteJob {
  return {
    op: 'create',
    system: 'salesforce',
    object: 'Lead',
    fields: {
      Email: 'ada@example.com',
      LastName: '[not provided]',
      Company: '[not provided]',
      HubSpot_Contact_Id__c: 'hs-1',
    },
    canonical: { email: 'ada@example.com', stage: 'lead' },
    person: 'hs-1',
    source: { system: 'hubspot', object: 'contacts', id: 'hs-1' },
    origin: 'hubspot',
    label: 'ada@example.com',
  };
}

async function pendingChanges(): Promise<Array<{ system: string; object: string; id: string }>> {
  const jobs = await pipeline.ctx.queues.changes.getJobs(['waiting', 'delayed', 'prioritized']);
  return jobs.map((job) => job.data);
}

describe('writer: a queued update never overwrites a newer edit', () => {
  it('drops the write when the field changed since the plan, logs it and syncs the record again', async () => {
    pipeline.salesforce.put('Lead', LEAD, { Email: 'ada@example.com', Lifecycle_Stage__c: 'SQL' });
    await enqueueWrite(pipeline.ctx.queues, stageUpdate());
    const { completed, failed } = startWriterFor('salesforce');

    await waitFor('the write job to finish', () => completed.length === 1);
    expect(failed).toHaveLength(0);
    expect(pipeline.salesforce.updateCalls).toHaveLength(0);
    expect(pipeline.salesforce.get('Lead', LEAD)?.fields.Lifecycle_Stage__c).toBe('SQL');
    expect(completed[0]?.returnvalue).toEqual({ superseded: ['Lifecycle_Stage__c'] });
    expect(await pipeline.ctx.bases.get('hs-1')).toBeNull();
    const ledger = await pipeline.ctx.ledger.read();
    expect(ledger).toEqual([
      expect.objectContaining({ kind: 'superseded', recordId: LEAD, field: 'Lifecycle_Stage__c', to: 'MQL' }),
    ]);
    expect(await pendingChanges()).toEqual([{ system: 'salesforce', object: 'Lead', id: LEAD }]);
  });

  it('writes when only other fields changed since the plan', async () => {
    pipeline.salesforce.put('Lead', LEAD, {
      Email: 'ada@example.com',
      Lifecycle_Stage__c: 'Lead',
      Title: 'CTO',
    });
    await enqueueWrite(pipeline.ctx.queues, stageUpdate());
    const { completed } = startWriterFor('salesforce');

    await waitFor('the write job to finish', () => completed.length === 1);
    expect(pipeline.salesforce.updateCalls).toHaveLength(1);
    expect(pipeline.salesforce.get('Lead', LEAD)?.fields).toMatchObject({
      Lifecycle_Stage__c: 'MQL',
      Title: 'CTO',
    });
    expect(await pipeline.ctx.bases.get('hs-1')).toEqual({ stage: 'mql' });
  });

  it('a retry after a lost response sees its value in place: success without a second write', async () => {
    pipeline.salesforce.put('Lead', LEAD, { Email: 'ada@example.com', Lifecycle_Stage__c: 'Lead' });
    pipeline.salesforce.lostResponses.push(new TransientApiError('salesforce', 'socket hang up', 502));
    await enqueueWrite(pipeline.ctx.queues, stageUpdate());
    const { completed, failed } = startWriterFor('salesforce');

    await waitFor('the retried write to complete', () => completed.length === 1, { timeoutMs: 8_000 });
    // The lost response failed the first attempt; the job was retried, not dead-lettered.
    expect(failed).toHaveLength(1);
    expect(await pipeline.ctx.queues.writes.salesforce.getFailedCount()).toBe(0);
    expect(completed[0]?.attemptsMade).toBe(2);
    expect(pipeline.salesforce.updateCalls).toHaveLength(1);
    expect(await pipeline.ctx.bases.get('hs-1')).toEqual({ stage: 'mql' });
    expect((await pipeline.ctx.ledger.read()).filter((e) => e.kind === 'write')).toHaveLength(1);
  });

  it('two writes to one record in one batch go out as one patch, the later plan winning', async () => {
    pipeline.salesforce.put('Lead', LEAD, { Email: 'ada@example.com', Lifecycle_Stage__c: 'Lead' });
    await enqueueWrite(pipeline.ctx.queues, stageUpdate());
    await enqueueWrite(
      pipeline.ctx.queues,
      stageUpdate({
        fields: { Lifecycle_Stage__c: 'SQL', Title: 'CTO' },
        canonical: { stage: 'sql', title: 'CTO' },
      }),
    );
    const { completed } = startWriterFor('salesforce');

    await waitFor('both writes to finish', () => completed.length === 2);
    expect(pipeline.salesforce.updateCalls).toHaveLength(1);
    expect(pipeline.salesforce.updateCalls[0]?.patches).toEqual([
      expect.objectContaining({ id: LEAD, fields: { Lifecycle_Stage__c: 'SQL', Title: 'CTO' } }),
    ]);
    expect(pipeline.salesforce.get('Lead', LEAD)?.fields.Lifecycle_Stage__c).toBe('SQL');
  });
});

describe('writer: a create never makes a duplicate', () => {
  it('a Salesforce create retried after a lost response adopts the lead it made instead of making another', async () => {
    pipeline.salesforce.lostResponses.push(new TransientApiError('salesforce', 'socket hang up', 502));
    await enqueueWrite(pipeline.ctx.queues, leadCreate());
    const { completed, failed } = startWriterFor('salesforce');

    await waitFor('the create to finish', () => completed.length === 1, { timeoutMs: 8_000 });
    expect(failed).toHaveLength(1);
    expect(await pipeline.ctx.queues.writes.salesforce.getFailedCount()).toBe(0);
    expect(pipeline.salesforce.createCalls).toHaveLength(1);
    const leads = [...(pipeline.salesforce.records.get('Lead')?.values() ?? [])];
    expect(leads).toHaveLength(1);
    const lead = leads[0]!;
    expect(completed[0]?.returnvalue).toEqual({ id: lead.id, adopted: true });
    expect(await pipeline.ctx.crosswalk.bySalesforceOfHubSpot('hs-1')).toEqual({
      object: 'Lead',
      id: lead.id,
    });
    // The pair is merged afresh by a sync of the source contact.
    expect(await pendingChanges()).toEqual([{ system: 'hubspot', object: 'contacts', id: 'hs-1' }]);
    expect(await unfinishedCount(pipeline.ctx.queues.writes.salesforce)).toBe(0);
  });

  it('a HubSpot create refused with 409 "Existing ID" links the existing contact', async () => {
    pipeline.hubspot.createError = (fields) =>
      fields.email === 'grace@example.com'
        ? {
            kind: 'permanent',
            code: 'CONFLICT',
            message: 'Contact already exists. Existing ID: 901',
            fields: [],
          }
        : undefined;
    await enqueueWrite(pipeline.ctx.queues, {
      op: 'create',
      system: 'hubspot',
      object: 'contacts',
      fields: { email: 'grace@example.com', salesforce_lead_id: LEAD },
      canonical: { email: 'grace@example.com' },
      source: { system: 'salesforce', object: 'Lead', id: LEAD },
      origin: 'salesforce',
      label: 'grace@example.com',
    });
    const { completed, failed } = startWriterFor('hubspot');

    await waitFor('the create to finish', () => completed.length + failed.length === 1);
    expect(failed).toHaveLength(0);
    expect(await pipeline.ctx.crosswalk.hubSpotOfSalesforce(LEAD)).toBe('901');
    const ledger = await pipeline.ctx.ledger.read();
    expect(ledger).toEqual([
      expect.objectContaining({ kind: 'link', person: '901', origin: 'existing-record' }),
    ]);
    expect(await pendingChanges()).toEqual([{ system: 'salesforce', object: 'Lead', id: LEAD }]);
  });

  it('dead-letters the 409 when the existing contact already belongs to another Salesforce record, naming both', async () => {
    await pipeline.ctx.crosswalk.link('901', { object: 'Contact', id: '003000000000009AAA' });
    pipeline.hubspot.createError = () => ({
      kind: 'permanent',
      code: 'CONFLICT',
      message: 'Contact already exists. Existing ID: 901',
      fields: [],
    });
    await enqueueWrite(pipeline.ctx.queues, {
      op: 'create',
      system: 'hubspot',
      object: 'contacts',
      fields: { email: 'grace@example.com' },
      canonical: {},
      source: { system: 'salesforce', object: 'Lead', id: LEAD },
      origin: 'salesforce',
      label: 'grace@example.com',
    });
    const { failed } = startWriterFor('hubspot');

    await waitFor('the create to be dead-lettered', () => failed.length === 1);
    const reason = failed[0]?.failedReason ?? '';
    expect(reason).toContain('901');
    expect(reason).toContain('003000000000009AAA');
    expect(reason).toContain(LEAD);
    expect(reason).toContain('Fix:');
    expect(await pipeline.ctx.crosswalk.hubSpotOfSalesforce(LEAD)).toBeUndefined();
  });
});
