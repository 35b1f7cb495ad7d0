/**
 * The batch writers: one BullMQ worker per system. Jobs stay per record; their writes meet in a
 * batcher and go out as one sObject Collections / batch call. A rate limit pauses the whole queue
 * without spending attempts; a permanent per-record error dead-letters that record alone.
 */
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { AuthError, BadRequestError, RateLimitedError } from '../connector/errors.js';
import type { RecordPatch, WriteResult } from '../connector/types.js';
import { vendorBackoff } from './backoff.js';
import { Batcher } from './batcher.js';
import type { SyncContext } from './context.js';
import { watchDeadLetters } from './dead-letters.js';
import { withoutRefusedFields } from './partial-write.js';
import { WRITE_QUEUES, type WriteJob } from './queues.js';
import { enqueueWrite } from './write-enqueue.js';
import {
  adoptExisting,
  checkTarget,
  existingIdFromConflict,
  findCreatedRecord,
  supersede,
} from './write-guard.js';
import { deadLetterReason, describeWrite, recordSuccess } from './write-outcome.js';

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
      const patches = mergePatchesById(jobs);
      const results = await connector.updateRecords(object, patches);
      // Results may come back in any order (HubSpot): put them back in job order by ref (the id).
      const byRef = new Map(results.map((r) => [r.ref, r]));
      return jobs.map((job) => byRef.get(job.id!)!);
    },
  });

  const adopt = async (job: WriteJob, existingId: string) => {
    const refused = await adoptExisting(ctx, job, existingId);
    if (refused) throw new UnrecoverableError(deadLetterIdentity(job, refused));
    return { id: existingId, adopted: true };
  };

  // Jobs already active when a rate limit hits would still call the API: they wait out the pause too.
  let pausedUntil = 0;

  const worker: Worker<WriteJob> = new Worker<WriteJob>(
    WRITE_QUEUES[options.system],
    async (job: Job<WriteJob>) => {
      const pauseLeftMs = pausedUntil - Date.now();
      if (pauseLeftMs > 0) {
        await worker.rateLimit(pauseLeftMs);
        throw Worker.RateLimitError();
      }
      let result: WriteResult;
      try {
        // Every update re-reads its target first (one batch read per batch; see write-guard.ts):
        // skipping it for young writes saved no measurable CPU, and would let a write planned
        // seconds ago overwrite an edit made since.
        if (job.data.op === 'update') {
          const freshness = await checkTarget(ctx, job.data);
          if (freshness.kind === 'superseded') {
            await supersede(ctx, job.data, freshness.fields);
            return { superseded: freshness.fields };
          }
          if (freshness.kind === 'written') {
            // An earlier attempt landed and only its response was lost: nothing left to send.
            await recordSuccess(ctx, job.data, job.data.id!);
            return { id: job.data.id };
          }
        } else if (job.data.op === 'create' && job.attemptsMade > 0) {
          const existing = await findCreatedRecord(ctx, job.data);
          if (existing.kind === 'ambiguous')
            throw new UnrecoverableError(deadLetterIdentity(job.data, existing.reason));
          if (existing.kind === 'found') return adopt(job.data, existing.id);
        }
        result = await batcher.submit(job.data);
      } catch (error) {
        if (error instanceof UnrecoverableError) throw error;
        if (error instanceof RateLimitedError) {
          pausedUntil = Math.max(pausedUntil, Date.now() + error.retryAfterMs);
          await worker.rateLimit(error.retryAfterMs);
          ctx.logger.warn(
            { system: options.system, waitMs: error.retryAfterMs, scope: error.scope },
            'API rate limit: writer paused',
          );
          throw Worker.RateLimitError();
        }
        if (error instanceof AuthError) {
          ctx.health?.credentialsRejected(options.system, error.message);
          // Every write would fail the same way: hold them all instead of dead-lettering each one.
          await worker.rateLimit(60_000);
          ctx.logger.error(
            { system: options.system, err: error },
            'API credentials rejected: writer paused; fix the credentials',
          );
          throw Worker.RateLimitError();
        }
        if (error instanceof BadRequestError)
          throw new UnrecoverableError(
            `${describeWrite(job.data)}: ${options.system} rejected the request: ${error.message}. Fix: check the mapping for this field with \`lockstep validate --live\`, then retry`,
          );
        // Retried with backoff; the message is the dead letter's reason if attempts run out.
        throw new Error(`${describeWrite(job.data)}: ${(error as Error).message ?? String(error)}`, {
          cause: error,
        });
      }
      if (result === undefined)
        throw new Error(`${options.system} returned no result for this record; retrying`);
      ctx.health?.credentialsAccepted(options.system);
      if (result.ok) {
        await recordSuccess(ctx, job.data, result.id);
        return { id: result.id };
      }
      const conflictingId = existingIdFromConflict(job.data, result.error.code, result.error.message);
      if (conflictingId) return adopt(job.data, conflictingId);
      const reason = deadLetterReason(job.data, result.error);
      if (result.error.kind === 'permanent') {
        // Refused for some fields only: the rest is written now, the refused ones are the dead letter.
        const rest = withoutRefusedFields(ctx.mapping, job.data, result.error.fields);
        if (rest) await enqueueWrite(ctx.queues, rest, ctx.deadLetters);
        ctx.narrate?.(`Dead-lettered: ${reason}${rest ? ' The other fields are written without it.' : ''}`);
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
  watchDeadLetters(worker, ctx, 'write');
  return worker;
}

/**
 * Two queued writes to one record can meet in one batch (a second change planned before the first
 * landed). A batch may not name a record twice, so they become one patch, later jobs winning field by
 * field: jobs arrive in queue order, which is the order they were planned in.
 */
export function mergePatchesById(jobs: WriteJob[]): RecordPatch[] {
  const byId = new Map<string, RecordPatch>();
  for (const job of jobs) {
    const id = job.id!;
    const patch = byId.get(id);
    if (!patch) {
      byId.set(id, { ref: id, id, fields: { ...job.fields }, clearFirst: [...(job.clearFirst ?? [])] });
      continue;
    }
    Object.assign(patch.fields, job.fields);
    for (const field of job.clearFirst ?? [])
      if (!patch.clearFirst?.includes(field)) patch.clearFirst?.push(field);
  }
  return [...byId.values()];
}

function deadLetterIdentity(job: WriteJob, reason: string): string {
  return `${job.label ?? job.source?.id ?? 'record'}: identity: ${reason}. Fix: merge the duplicates or link the right pair by setting the link id field, then run \`lockstep dead-letters retry <id>\`.`;
}
