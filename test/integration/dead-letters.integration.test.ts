import type { Job } from 'bullmq';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MappingConfig } from '../../src/mapping/compile.js';
import { dropDeadLetter, listDeadLetters, retryDeadLetters } from '../../src/pipeline/dead-letters.js';
import type { WriteJob } from '../../src/pipeline/queues.js';
import { enqueueWrite, writeJobId } from '../../src/pipeline/write-enqueue.js';
import { startWriter } from '../../src/pipeline/write-worker.js';
import { loadDefaultMappings } from '../helpers/mapping.js';
import { buildPipeline, type TestPipeline } from '../helpers/pipeline.js';
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
    const writer = scope.track(
      startWriter(pipeline.ctx, {
        system: 'salesforce',
        connection: pipeline.workerConnection,
        prefix: scope.prefix,
        batchSize: 200,
        maxWaitMs: 20,
      }),
    );
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

    // The admin adds the picklist value; the retried write now goes through.
    pipeline.salesforce.recordErrors.delete(broken.id!);
    expect(await retryDeadLetters(pipeline.ctx.queues, brokenId)).toBe(1);
    await waitFor('the retried write to complete', () => completed.length === 1);
    expect(completed[0]?.id).toBe(writeJobId(broken));
    expect(pipeline.salesforce.get('Lead', broken.id!)?.fields.Industry).toBe('Aerospace');
    expect(await pipeline.ctx.bases.get('51')).toEqual({ industry: 'Aerospace' });
    expect((await listDeadLetters(pipeline.ctx.queues)).map((l) => l.id)).toEqual([otherId]);

    await dropDeadLetter(pipeline.ctx.queues, otherId);
    expect(await listDeadLetters(pipeline.ctx.queues)).toEqual([]);
    expect(await pipeline.ctx.queues.writes.salesforce.getJob(writeJobId(other))).toBeUndefined();
    expect(await pipeline.ctx.bases.get('52')).toBeNull();

    // Unknown or already-handled ids are refused with a hint, not silently ignored.
    await expect(dropDeadLetter(pipeline.ctx.queues, otherId)).rejects.toThrow(/dead-letters list/);
    await expect(retryDeadLetters(pipeline.ctx.queues, 'nope/123')).rejects.toThrow(/no dead letter/);
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
    const writer = scope.track(
      startWriter(pipeline.ctx, {
        system: 'salesforce',
        connection: pipeline.workerConnection,
        prefix: scope.prefix,
        batchSize: 200,
        maxWaitMs: 20,
      }),
    );
    const completed: Array<Job<WriteJob>> = [];
    writer.on('completed', (done) => completed.push(done));
    await waitFor('the dead letter', async () => (await listDeadLetters(pipeline.ctx.queues)).length === 1);
    // The record is fixed; the next sync plans the same write again.
    pipeline.salesforce.recordErrors.delete(job.id!);
    await enqueueWrite(pipeline.ctx.queues, job);
    await waitFor('the new plan to be written', () => completed.length === 1);
    expect(await listDeadLetters(pipeline.ctx.queues)).toEqual([]);
  });

  it('retries every dead letter at once (retry --all)', async () => {
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
    const writer = scope.track(
      startWriter(pipeline.ctx, {
        system: 'salesforce',
        connection: pipeline.workerConnection,
        prefix: scope.prefix,
        batchSize: 200,
        maxWaitMs: 20,
      }),
    );
    let completed = 0;
    writer.on('completed', () => {
      completed += 1;
    });
    await waitFor(
      'three dead letters',
      async () => (await listDeadLetters(pipeline.ctx.queues)).length === 3,
    );

    pipeline.salesforce.recordErrors.clear();
    expect(await retryDeadLetters(pipeline.ctx.queues, 'all')).toBe(3);
    await waitFor('all three to complete', () => completed === 3);
    expect(await listDeadLetters(pipeline.ctx.queues)).toEqual([]);
    for (const n of [1, 2, 3])
      expect(await pipeline.ctx.bases.get(`${n}`)).toEqual({ industry: 'Aerospace' });
  });
});
