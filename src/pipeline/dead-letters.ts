/**
 * Dead letters are BullMQ's failed sets (with the reason we wrote) across the lockstep queues. Ids
 * shown to admins are `<queue>/<job id>`.
 */
import { Job, type QueueBase, UnrecoverableError, type Worker } from 'bullmq';
import type { DeadLetterIndex } from '../state/dead-letter-index.js';
import { enqueueChanges } from './capture.js';
import type { SyncContext } from './context.js';
import { CHANGES_QUEUE, type ChangeJob, changeKey, type LockstepQueues, type WriteJob } from './queues.js';

export interface DeadLetter {
  id: string;
  queue: string;
  failedAt: string | undefined;
  attempts: number;
  reason: string;
  data: unknown;
}

export async function listDeadLetters(queues: LockstepQueues, limit = 100): Promise<DeadLetter[]> {
  const rows: DeadLetter[] = [];
  for (const queue of queues.all()) {
    const jobs = (await queue.getFailed(0, limit - 1)) as Array<Job | undefined>;
    for (const job of jobs) {
      if (!job) continue;
      rows.push({
        id: `${queue.name}/${job.id}`,
        queue: queue.name,
        failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
        attempts: job.attemptsMade,
        reason: job.failedReason,
        data: job.data,
      });
    }
  }
  return rows.sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? '')).slice(0, limit);
}

/**
 * The record a dead letter stands for: a sync's changed record, an update's target, or the source
 * record a create copies. Retrying a dead letter syncs this record again, and one dead letter per
 * record and queue is kept.
 */
export function deadLetterRecord(queueName: string, data: unknown): ChangeJob | undefined {
  if (queueName === CHANGES_QUEUE) {
    const { system, object, id } = data as ChangeJob;
    return { system, object, id };
  }
  const write = data as WriteJob;
  if (write.op === 'update' && write.id) return { system: write.system, object: write.object, id: write.id };
  return write.source;
}

export function deadLetterRecordKey(queueName: string, data: unknown): string | undefined {
  const record = deadLetterRecord(queueName, data);
  return record && changeKey(record);
}

/**
 * Watches a worker's failures: a job failed for good (no attempts left, or unrecoverable) is logged and
 * becomes its record's dead letter; the record's older dead letter in the same queue goes.
 */
export function watchDeadLetters(
  worker: Worker,
  ctx: Pick<SyncContext, 'deadLetters' | 'logger' | 'narrate'>,
  what: 'change' | 'write',
): void {
  worker.on('failed', (job, error) => {
    if (!job || !(error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1)))
      return;
    ctx.logger.warn({ job: job.id, reason: error.message }, `${what} dead-lettered`);
    // A write narrates its own dead letter where it knows whether the other fields went through.
    if (what === 'change') ctx.narrate?.(`Dead-lettered: ${error.message}`);
    void keepNewestDeadLetter(ctx.deadLetters, worker, job).catch((err: unknown) =>
      ctx.logger.warn({ err, job: job.id }, 'could not drop an older dead letter of the record'),
    );
  });
}

/**
 * Called when `job` has failed for good: it becomes its record's dead letter, and the record's older
 * dead letter in the same queue (if still failed) is removed.
 */
async function keepNewestDeadLetter(index: DeadLetterIndex, queue: QueueBase, job: Job): Promise<void> {
  const recordKey = deadLetterRecordKey(queue.name, job.data);
  if (!recordKey || !job.id) return;
  const older = await index.replace(queue.name, recordKey, job.id);
  if (!older) return;
  const previous = await Job.fromId(queue, older);
  if (previous && (await previous.isFailed())) await previous.remove();
}

async function forgetDeadLetter(index: DeadLetterIndex, queueName: string, job: Job): Promise<void> {
  const recordKey = deadLetterRecordKey(queueName, job.data);
  if (recordKey && job.id) await index.forget(queueName, recordKey, job.id);
}

async function findJob(queues: LockstepQueues, id: string): Promise<Job | undefined> {
  const slash = id.indexOf('/');
  const queue = queues.all().find((q) => q.name === id.slice(0, slash));
  if (slash < 0 || !queue) return undefined;
  return (await queue.getJob(id.slice(slash + 1))) ?? undefined;
}

/**
 * Replays dead letters; returns how many. A failed sync (change job) runs again with a fresh
 * attempt budget: it reads both systems anew. A failed write is not replayed as it was planned: its
 * values may be stale by now (the source was edited again, or the mapping was fixed, which is the
 * usual reason to retry), so the record is synced again instead, and the plan made from fresh reads
 * with the current mapping is what gets written. The failed write then leaves the dead letters.
 */
export async function retryDeadLetters(
  queues: LockstepQueues,
  index: DeadLetterIndex,
  id: string | 'all',
): Promise<number> {
  if (id === 'all') {
    // The dead letters there are now: a retried one that fails again at once must not be met
    // again by this same command (that would loop as long as the record keeps failing).
    let count = 0;
    for (const queue of queues.all()) {
      // The whole set in one read: paging it while workers change it would skip some.
      const snapshot = ((await queue.getFailed(0, -1)) as Array<Job | undefined>).filter(
        (job): job is Job => job !== undefined,
      );
      for (const job of snapshot) {
        if (!(await job.isFailed())) continue;
        await retryOne(queues, index, queue.name, job);
        count += 1;
      }
    }
    return count;
  }
  const job = await findJob(queues, id);
  if (!job || !(await job.isFailed()))
    throw new Error(`no dead letter with id ${id}; list them with \`lockstep dead-letters list\``);
  await retryOne(queues, index, id.slice(0, id.indexOf('/')), job);
  return 1;
}

async function retryOne(
  queues: LockstepQueues,
  index: DeadLetterIndex,
  queueName: string,
  job: Job,
): Promise<void> {
  await forgetDeadLetter(index, queueName, job);
  if (queueName === CHANGES_QUEUE) {
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return;
  }
  const record = deadLetterRecord(queueName, job.data);
  if (!record) throw new Error(`dead letter ${queueName}/${job.id} names no record to sync again`);
  await enqueueChanges(queues, [record]);
  await job.remove();
}

export async function dropDeadLetter(
  queues: LockstepQueues,
  index: DeadLetterIndex,
  id: string,
): Promise<void> {
  const job = await findJob(queues, id);
  if (!job || !(await job.isFailed()))
    throw new Error(`no dead letter with id ${id}; list them with \`lockstep dead-letters list\``);
  await forgetDeadLetter(index, id.slice(0, id.indexOf('/')), job);
  await job.remove();
}
