/**
 * The batch writers: one BullMQ worker per system. Jobs stay per record; their writes meet in a
 * batcher and go out as one sObject Collections / batch call. A rate limit pauses the whole queue
 * without spending attempts; a permanent per-record error dead-letters that record alone.
 */
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { AuthError, BadRequestError, RateLimitedError } from '../connector/errors.js';
import type { WriteResult } from '../connector/types.js';
import { vendorBackoff } from './backoff.js';
import { Batcher } from './batcher.js';
import type { SyncContext } from './context.js';
import { WRITE_QUEUES, type WriteJob } from './queues.js';
import { deadLetterReason, recordSuccess } from './write-outcome.js';

export interface WriterOptions {
  system: 'hubspot' | 'salesforce';
  connection: Redis;
  prefix: string;
  batchSize: number;
  maxWaitMs?: number;
}

export function startWriter(ctx: SyncContext, options: WriterOptions): Worker<WriteJob> {
  const connector = ctx.connectors[options.system];
  const batcher = new Batcher<WriteJob, WriteResult>({
    maxSize: options.batchSize,
    maxWaitMs: options.maxWaitMs ?? 25,
    groupOf: (job) => `${job.op}:${job.object}`,
    run: async (group, jobs) => {
      const object = group.slice(group.indexOf(':') + 1);
      if (group.startsWith('create:')) {
        return connector.createRecords(
          object,
          jobs.map((job, i) => ({ ref: String(i), fields: job.fields })),
        );
      }
      const results = await connector.updateRecords(
        object,
        jobs.map((job, i) => ({
          ref: String(i),
          id: job.id!,
          fields: job.fields,
          clearFirst: job.clearFirst,
        })),
      );
      // Results may come back in any order (HubSpot): put them back in job order by ref.
      const byRef = new Map(results.map((r) => [r.ref, r]));
      return jobs.map((_, i) => byRef.get(String(i))!);
    },
  });

  const worker: Worker<WriteJob> = new Worker<WriteJob>(
    WRITE_QUEUES[options.system],
    async (job: Job<WriteJob>) => {
      let result: WriteResult;
      try {
        result = await batcher.submit(job.data);
      } catch (error) {
        if (error instanceof RateLimitedError) {
          await worker.rateLimit(error.retryAfterMs);
          ctx.logger.warn(
            { system: options.system, waitMs: error.retryAfterMs, scope: error.scope },
            'API rate limit: writer paused',
          );
          throw Worker.RateLimitError();
        }
        if (error instanceof AuthError) {
          // Every write would fail the same way: hold them all instead of dead-lettering each one.
          await worker.rateLimit(60_000);
          ctx.logger.error(
            { system: options.system, err: error },
            'API credentials rejected: writer paused; fix the credentials',
          );
          throw Worker.RateLimitError();
        }
        if (error instanceof BadRequestError)
          throw new UnrecoverableError(`${options.system} rejected the request: ${error.message}`);
        throw error;
      }
      if (result === undefined)
        throw new Error(`${options.system} returned no result for this record; retrying`);
      if (result.ok) {
        await recordSuccess(ctx, job.data, result.id);
        return { id: result.id };
      }
      const reason = deadLetterReason(job.data, result.error);
      if (result.error.kind === 'permanent') {
        ctx.narrate?.(`Dead-lettered: ${reason}`);
        throw new UnrecoverableError(reason);
      }
      throw new Error(reason);
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      // Enough jobs in flight to fill one batch: BullMQ fetches jobs one by one until every slot is
      // taken, so more slots only delay the first batch.
      concurrency: options.batchSize,
      settings: { backoffStrategy: vendorBackoff },
    },
  );
  worker.on('error', (error) =>
    ctx.logger.error({ err: error, queue: WRITE_QUEUES[options.system] }, 'writer error'),
  );
  return worker;
}
