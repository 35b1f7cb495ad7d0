import type { Job } from 'bullmq';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthError, RateLimitedError, TransientApiError } from '../../src/connector/errors.js';
import type { MappingConfig } from '../../src/mapping/compile.js';
import { SyncHealth } from '../../src/pipeline/health.js';
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

const leadId = (n: number) => `00Q${String(n).padStart(12, '0')}AAA`;

function stageWrite(n: number): WriteJob {
  return {
    op: 'update',
    system: 'salesforce',
    object: 'Lead',
    id: leadId(n),
    fields: { Lifecycle_Stage__c: 'MQL' },
    canonical: { stage: 'mql' },
    previous: { Lifecycle_Stage__c: 'Lead' },
    person: `hs-${n}`,
    origin: 'hubspot',
    label: `p${n}@example.com`,
  };
}

function seedLeads(count: number): void {
  for (let n = 1; n <= count; n += 1)
    pipeline.salesforce.put('Lead', leadId(n), { Email: `p${n}@example.com`, Lifecycle_Stage__c: 'Lead' });
}

function startSalesforceWriter(maxWaitMs = 100, batchSize = 200) {
  const writer = startTestWriter(scope, pipeline, { batchSize, maxWaitMs });
  const completed: Array<Job<WriteJob>> = [];
  const failed: Array<Job<WriteJob>> = [];
  writer.on('completed', (job) => completed.push(job));
  writer.on('failed', (job) => {
    if (job) failed.push(job);
  });
  return { writer, completed, failed };
}

const queue = () => pipeline.ctx.queues.writes.salesforce;

describe('writer (startWriter)', () => {
  it('writes 250 queued updates to Salesforce in exactly 2 batch calls (200 + 50)', async () => {
    seedLeads(250);
    for (let n = 1; n <= 250; n += 1) await enqueueWrite(pipeline.ctx.queues, stageWrite(n));
    const { completed } = startSalesforceWriter(500);

    await waitFor('250 writes to complete', () => completed.length === 250, { timeoutMs: 10_000 });
    const calls = pipeline.salesforce.updateCalls;
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.patches.length).sort((a, b) => b - a)).toEqual([200, 50]);
    expect(calls.every((c) => c.object === 'Lead')).toBe(true);
    const written = new Set(calls.flatMap((c) => c.patches.map((p) => p.id)));
    expect(written.size).toBe(250);
    expect(pipeline.salesforce.get('Lead', leadId(250))?.fields.Lifecycle_Stage__c).toBe('MQL');
    expect(await unfinishedCount(queue())).toBe(0);
  });

  it('dead-letters only the record the API rejects; the others complete and update base and ledger', async () => {
    seedLeads(5);
    pipeline.salesforce.recordErrors.set(leadId(3), {
      kind: 'permanent',
      code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      message: 'Lifecycle Stage: bad value for restricted picklist field: MQL',
      fields: ['Lifecycle_Stage__c'],
    });
    for (let n = 1; n <= 5; n += 1) await enqueueWrite(pipeline.ctx.queues, stageWrite(n));
    const { completed, failed } = startSalesforceWriter();

    await waitFor('4 completed and 1 failed', () => completed.length === 4 && failed.length === 1);
    expect(pipeline.salesforce.updateCalls).toHaveLength(1);

    const deadLetters = await queue().getFailed();
    expect(deadLetters).toHaveLength(1);
    const [dead] = deadLetters;
    expect(dead?.data.id).toBe(leadId(3));
    expect(dead?.attemptsMade).toBe(1); // permanent: never retried
    const reason = dead?.failedReason ?? '';
    expect(reason).toContain(leadId(3));
    expect(reason).toContain('Lifecycle_Stage__c');
    expect(reason).toContain('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    expect(reason).toContain('Fix:');

    for (const n of [1, 2, 4, 5]) expect(await pipeline.ctx.bases.get(`hs-${n}`)).toEqual({ stage: 'mql' });
    expect(await pipeline.ctx.bases.get('hs-3')).toBeNull();
    const writes = (await pipeline.ctx.ledger.read(100)).filter((e) => e.kind === 'write');
    expect(writes.map((e) => e.recordId).sort()).toEqual([1, 2, 4, 5].map(leadId).sort());
    expect(writes[0]).toMatchObject({
      system: 'salesforce',
      object: 'Lead',
      field: 'Lifecycle_Stage__c',
      from: 'Lead',
      to: 'MQL',
      origin: 'hubspot',
    });
    expect(await unfinishedCount(queue())).toBe(0);
  });

  it('pauses the queue on a rate limit and completes the jobs afterwards without spending attempts', async () => {
    seedLeads(5);
    pipeline.salesforce.writeFailures.push(
      new RateLimitedError('salesforce', 'REQUEST_LIMIT_EXCEEDED: too many requests', 300, 'burst', 503),
    );
    for (let n = 1; n <= 5; n += 1) await enqueueWrite(pipeline.ctx.queues, stageWrite(n));
    const callTimes: number[] = [];
    const updateRecords = pipeline.salesforce.updateRecords.bind(pipeline.salesforce);
    pipeline.salesforce.updateRecords = (object, patches) => {
      callTimes.push(Date.now());
      return updateRecords(object, patches);
    };
    const { completed, failed } = startSalesforceWriter(50);

    await waitFor('5 writes to complete', () => completed.length === 5);
    expect(failed).toHaveLength(0);
    expect(await queue().getFailedCount()).toBe(0);
    // attemptsMade counts the attempt that completed: 1 means the rate-limited round was not counted.
    expect(completed.map((job) => job.attemptsMade)).toEqual([1, 1, 1, 1, 1]);
    expect(callTimes.length).toBeGreaterThanOrEqual(2);
    expect(callTimes[1]! - callTimes[0]!).toBeGreaterThanOrEqual(250);
    for (let n = 1; n <= 5; n += 1) expect(await pipeline.ctx.bases.get(`hs-${n}`)).toEqual({ stage: 'mql' });
  });

  it('retries a batch that hit a transient API error, then succeeds', async () => {
    seedLeads(3);
    pipeline.salesforce.writeFailures.push(new TransientApiError('salesforce', 'socket hang up', 502));
    for (let n = 1; n <= 3; n += 1) await enqueueWrite(pipeline.ctx.queues, stageWrite(n));
    const { completed } = startSalesforceWriter(50);

    await waitFor('3 writes to complete after a retry', () => completed.length === 3, { timeoutMs: 8_000 });
    expect(completed.map((job) => job.attemptsMade)).toEqual([2, 2, 2]);
    expect(pipeline.salesforce.updateCalls.length).toBeGreaterThanOrEqual(2);
    expect(await queue().getFailedCount()).toBe(0);
    expect(pipeline.salesforce.get('Lead', leadId(2))?.fields.Lifecycle_Stage__c).toBe('MQL');
    expect((await pipeline.ctx.ledger.read()).filter((e) => e.kind === 'write')).toHaveLength(3);
  });

  it('reports rejected credentials to the health /readyz reads, holding the writes instead of failing them', async () => {
    seedLeads(2);
    const health = new SyncHealth();
    pipeline.ctx.health = health;
    pipeline.salesforce.writeFailures.push(
      new AuthError('salesforce', 'INVALID_SESSION_ID: Session expired', 401),
    );
    for (let n = 1; n <= 2; n += 1) await enqueueWrite(pipeline.ctx.queues, stageWrite(n));
    const { failed } = startSalesforceWriter(20);

    await waitFor('the rejection to be reported', () => health.problems().length === 1);
    expect(health.problems()[0]).toMatchObject({
      system: 'salesforce',
      message: 'INVALID_SESSION_ID: Session expired',
    });
    expect(failed).toHaveLength(0);
    expect(await queue().getFailedCount()).toBe(0);
  });
});
