/**
 * Queues one write. The job id is derived from the content, so the same patch planned twice (two
 * syncs of one person before the first write lands) is queued once, and a create is queued once per
 * source record. The values the plan saw are part of the content: a plan made after the target changed
 * is a new write, never folded into an older job that is about to be dropped as superseded.
 */
import { createHash } from 'node:crypto';
import type { DeadLetterIndex } from '../state/dead-letter-index.js';
import { deadLetterRecordKey } from './dead-letters.js';
import type { LockstepQueues, WriteJob } from './queues.js';

export const writeJobOptions = {
  // With the 10-minute backoff cap this rides out a vendor outage of about two and a half hours.
  attempts: 20,
  backoff: { type: 'vendor' },
  removeOnComplete: true,
  // Failed jobs are the dead letters: keep them until an admin retries or drops them.
  removeOnFail: false,
} as const;

export function writeJobId(job: WriteJob): string {
  if (job.op === 'create') return `create-${job.system}-from-${job.source?.system}-${job.source?.id}`;
  const digest = createHash('sha1')
    .update(JSON.stringify([job.fields, job.clearFirst ?? [], job.previous ?? {}]))
    .digest('hex')
    .slice(0, 12);
  return `${job.system}-${job.object}-${job.id}-${digest}`;
}

export async function enqueueWrite(
  queues: LockstepQueues,
  job: WriteJob,
  /** Told when a stale dead letter gives way, so the record no longer counts as dead-lettered. */
  deadLetters?: DeadLetterIndex,
): Promise<void> {
  const queue = queues.writes[job.system];
  const jobId = writeJobId(job);
  // A dead letter keeps its id; a new plan with the same id (the record was fixed) must not be
  // swallowed by it, so the stale dead letter gives way.
  const existing = await queue.getJob(jobId);
  if (existing && (await existing.isFailed())) {
    const recordKey = deadLetterRecordKey(queue.name, existing.data);
    if (deadLetters && recordKey) await deadLetters.forget(queue.name, recordKey, jobId);
    await existing.remove();
  }
  await queue.add(job.op, job, { ...writeJobOptions, jobId });
}
