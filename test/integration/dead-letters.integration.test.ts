import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MappingConfig } from '../../src/mapping/compile.js';
import { enqueueChanges } from '../../src/pipeline/capture.js';
import { dropDeadLetter, listDeadLetters, retryDeadLetters } from '../../src/pipeline/dead-letters.js';
import { CHANGES_QUEUE, type ChangeJob, type WriteJob } from '../../src/pipeline/queues.js';
import { startSyncWorker } from '../../src/pipeline/sync-worker.js';
import { enqueueWrite, writeJobId } from '../../src/pipeline/write-enqueue.js';
import { loadDefaultMappings } from '../helpers/mapping.js';
import { buildPipeline, startTestWriter, type TestPipeline } from '../helpers/pipeline.js';
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

async function queuedChanges(): Promise<ChangeJob[]> {
  const jobs = await pipeline.ctx.queues.changes.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
  return jobs.map((job) => job.data);
}

const write = (id: string, person: string): WriteJob => ({
  op: 'update',
  system: 'salesforce',
  object: 'Lead',
  id,
  fields: { Industry: 'Aerospace' },
  canonical: { industry: 'Aerospace' },
  person,
  origin: 'hubspot',
});

describe('dead letters', () => {
  it('lists a failed write as <queue>/<jobId> with its reason, retries it once fixed, and drops another', async () => {
    const broken = write('00Q000000000001AAA', '51');
    const other = write('00Q000000000002AAA', '52');
    for (const job of [broken, other]) {
      pipeline.salesforce.put('Lead', job.id!, { Email: `${job.person}@example.com` });
      pipeline.salesforce.recordErrors.set(job.id!, {
        kind: 'permanent',
        code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        message: 'Industry: bad value for restricted picklist field: Aerospace',
        fields: ['Industry'],
      });
      await enqueueWrite(pipeline.ctx.queues, job);
    }
    const writer = startTestWriter(scope, pipeline);
    const completed: Array<Job<WriteJob>> = [];
    writer.on('completed', (job) => completed.push(job));

    const letters = await waitFor('two dead letters', async () => {
      const rows = await listDeadLetters(pipeline.ctx.queues);
      return rows.length === 2 ? rows : undefined;
    });
    const brokenId = `write-salesforce/${writeJobId(broken)}`;
    const otherId = `write-salesforce/${writeJobId(other)}`;
    expect(letters.map((l) => l.id).sort()).toEqual([brokenId, otherId].sort());
    const letter = letters.find((l) => l.id === brokenId)!;
    expect(letter.queue).toBe('write-salesforce');
    expect(letter.reason).toContain('00Q000000000001AAA');
    expect(letter.reason).toContain('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    expect(letter.failedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(letter.data).toMatchObject({ id: '00Q000000000001AAA', fields: { Industry: 'Aerospace' } });

    // Retry syncs the record again rather than replaying the old payload: the write leaves the
    // dead letters and a change of its target record is queued.
    expect(await retryDeadLetters(pipeline.ctx.queues, pipeline.ctx.deadLetters, brokenId)).toBe(1);
    expect(await pipeline.ctx.queues.writes.salesforce.getJob(writeJobId(broken))).toBeUndefined();
    expect(await queuedChanges()).toEqual([{ system: 'salesforce', object: 'Lead', id: broken.id }]);
    expect((await listDeadLetters(pipeline.ctx.queues)).map((l) => l.id)).toEqual([otherId]);
    expect(completed).toHaveLength(0);

    await dropDeadLetter(pipeline.ctx.queues, pipeline.ctx.deadLetters, otherId);
    expect(await listDeadLetters(pipeline.ctx.queues)).toEqual([]);
    expect(await pipeline.ctx.queues.writes.salesforce.getJob(writeJobId(other))).toBeUndefined();
    expect(await pipeline.ctx.bases.get('52')).toBeNull();

    // Unknown or already-handled ids are refused with a hint, not silently ignored.
    await expect(dropDeadLetter(pipeline.ctx.queues, pipeline.ctx.deadLetters, otherId)).rejects.toThrow(
      /dead-letters list/,
    );
    await expect(retryDeadLetters(pipeline.ctx.queues, pipeline.ctx.deadLetters, 'nope/123')).rejects.toThrow(
      /no dead letter/,
    );
  });

  it('lets a new plan with the same job id replace its stale dead letter', async () => {
    const job = write('00Q000000000009AAA', '59');
    pipeline.salesforce.put('Lead', job.id!, { Email: '59@example.com' });
    pipeline.salesforce.recordErrors.set(job.id!, {
      kind: 'permanent',
      code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'blocked',
      fields: [],
    });
    await enqueueWrite(pipeline.ctx.queues, job);
    const writer = startTestWriter(scope, pipeline);
    const completed: Array<Job<WriteJob>> = [];
    writer.on('completed', (done) => completed.push(done));
    await waitFor('the dead letter', async () => (await listDeadLetters(pipeline.ctx.queues)).length === 1);
    await waitFor('the record to be indexed', async () => (await pipeline.ctx.deadLetters.size()) === 1);
    // The record is fixed; the next sync plans the same write again.
    pipeline.salesforce.recordErrors.delete(job.id!);
    await enqueueWrite(pipeline.ctx.queues, job, pipeline.ctx.deadLetters);
    await waitFor('the new plan to be written', () => completed.length === 1);
    expect(await listDeadLetters(pipeline.ctx.queues)).toEqual([]);
    // The stale dead letter gave way: the record no longer counts as dead-lettered.
    expect(await pipeline.ctx.deadLetters.size()).toBe(0);
  });

  it("keeps one dead letter per record for writes (the newest value's), and forgets it once retried", async () => {
    const first = write('00Q000000000010AAA', '60');
    const second = { ...first, fields: { Industry: 'Shipping' }, canonical: { industry: 'Shipping' } };
    pipeline.salesforce.put('Lead', first.id!, { Email: '60@example.com' });
    pipeline.salesforce.recordErrors.set(first.id!, {
      kind: 'permanent',
      code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      message: 'Industry: bad value for restricted picklist field',
      fields: ['Industry'],
    });
    startTestWriter(scope, pipeline);
    await enqueueWrite(pipeline.ctx.queues, first);
    await waitFor(
      'the first dead letter',
      async () => (await listDeadLetters(pipeline.ctx.queues)).length === 1,
    );
    // The source moves on to another value the picklist refuses too: still one dead letter, the newest.
    await enqueueWrite(pipeline.ctx.queues, second);
    const [letter] = await waitFor('the newest to replace the first', async () => {
      const rows = await listDeadLetters(pipeline.ctx.queues);
      return rows.length === 1 && rows[0]?.id.endsWith(writeJobId(second)) ? rows : undefined;
    });
    expect(await pipeline.ctx.deadLetters.size()).toBe(1);

    await retryDeadLetters(pipeline.ctx.queues, pipeline.ctx.deadLetters, letter!.id);
    expect(await listDeadLetters(pipeline.ctx.queues)).toEqual([]);
    // The index keeps no entry for a record that has no dead letter.
    expect(await pipeline.ctx.deadLetters.size()).toBe(0);
  });

  it('retries every dead letter at once (retry --all): writes are synced again, syncs rerun afresh', async () => {
    const jobs = [1, 2, 3].map((n) => write(`00Q00000000000${n}AAA`, `${n}`));
    for (const job of jobs) {
      pipeline.salesforce.put('Lead', job.id!, {});
      pipeline.salesforce.recordErrors.set(job.id!, {
        kind: 'permanent',
        code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        message: 'Industry is locked',
        fields: ['Industry'],
      });
      await enqueueWrite(pipeline.ctx.queues, job);
    }
    startTestWriter(scope, pipeline);
    // A sync that failed for good.
    const failing = scope.track(
      new Worker(
        CHANGES_QUEUE,
        async () => {
          throw new UnrecoverableError('HubSpot kept answering 503');
        },
        { connection: scope.connect('failing'), prefix: scope.prefix },
      ),
    );
    const change = await pipeline.ctx.queues.changes.add('change', {
      system: 'hubspot',
      object: 'contacts',
      id: '77',
    });
    await waitFor(
      'the sync to fail',
      async () =>
        (await change.isFailed()) === true || (await pipeline.ctx.queues.changes.getFailedCount()) === 1,
    );
    await failing.close();
    await waitFor('four dead letters', async () => (await listDeadLetters(pipeline.ctx.queues)).length === 4);

    expect(await retryDeadLetters(pipeline.ctx.queues, pipeline.ctx.deadLetters, 'all')).toBe(4);
    expect(await listDeadLetters(pipeline.ctx.queues)).toEqual([]);
    expect((await queuedChanges()).map((c) => c.id).sort()).toEqual([
      '00Q000000000001AAA',
      '00Q000000000002AAA',
      '00Q000000000003AAA',
      '77',
    ]);
    const rerun = await pipeline.ctx.queues.changes.getJob(change.id!);
    expect(await rerun?.getState()).toBe('waiting');
    expect(rerun?.attemptsMade).toBe(0);
  });
});

describe('retrying a dead-lettered write after the source changed again', () => {
  it('writes what the source holds now, not the value that failed', async () => {
    const { ctx, hubspot, salesforce } = pipeline;
    const LEAD = '00Q000000000001AAA';
    const lead = {
      Email: 'ada@example.com',
      LastName: 'Lovelace',
      Company: 'AE',
      Industry: 'Banking',
      Lifecycle_Stage__c: 'Lead',
      Status: 'Open - Not Contacted',
      HubSpot_Contact_Id__c: '51',
      IsConverted: false,
    };
    const contact = (industry: string) => ({
      email: 'ada@example.com',
      lastname: 'Lovelace',
      company: 'AE',
      industry,
      lifecyclestage: 'lead',
      salesforce_lead_id: LEAD,
    });
    salesforce.put('Lead', LEAD, lead);
    hubspot.put('contacts', '51', contact('BANKING'));
    await ctx.crosswalk.link('51', { object: 'Lead', id: LEAD });
    scope.track(
      startSyncWorker(ctx, { connection: pipeline.workerConnection, prefix: scope.prefix, concurrency: 5 }),
    );
    const writer = startTestWriter(scope, pipeline, { ctx, maxWaitMs: 5 });
    const completed: Array<Job<WriteJob>> = [];
    writer.on('completed', (job) => completed.push(job));
    await enqueueChanges(ctx.queues, [{ system: 'hubspot', object: 'contacts', id: '51' }]);
    await waitFor(
      'the first sync to settle',
      async () => (await ctx.bases.get('51'))?.industry !== undefined,
    );

    // Marketing picks an industry Salesforce's restricted picklist refuses.
    salesforce.recordErrors.set(LEAD, {
      kind: 'permanent',
      code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      message: 'Industry: bad value for restricted picklist field: Aerospace',
      fields: ['Industry'],
    });
    hubspot.put('contacts', '51', contact('AEROSPACE'));
    await enqueueChanges(ctx.queues, [{ system: 'hubspot', object: 'contacts', id: '51' }]);
    const [letter] = await waitFor('the dead letter', async () => {
      const rows = await listDeadLetters(ctx.queues);
      return rows.length === 1 ? rows : undefined;
    });

    // ...then settles on another one, and the admin fixes the picklist and retries.
    hubspot.put('contacts', '51', contact('RETAIL'));
    salesforce.recordErrors.delete(LEAD);
    await retryDeadLetters(ctx.queues, ctx.deadLetters, letter!.id);
    await waitFor(
      'the fresh plan to be written',
      () => salesforce.get('Lead', LEAD)?.fields.Industry !== 'Banking',
    );
    expect(salesforce.get('Lead', LEAD)?.fields.Industry).toBe('Retail');
    expect(await listDeadLetters(ctx.queues)).toEqual([]);
  });
});
