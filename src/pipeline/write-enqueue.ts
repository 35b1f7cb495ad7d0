/**
 * Queues one write. The job id is derived from the content, so the same patch planned twice (two
 * syncs of one person before the first write lands) is queued once, and a create is queued once per
 * source record.
 */
import { createHash } from 'node:crypto';
import type { LockstepQueues, WriteJob } from './queues.js';

export const writeJobOptions = {
  attempts: 8,
  backoff: { type: 'vendor' },
  removeOnComplete: true,
  // Failed jobs are the dead letters: keep them until an admin retries or drops them.
  removeOnFail: false,
} as const;

export function writeJobId(job: WriteJob): string {
  if (job.op === 'create') return `create-${job.system}-from-${job.source?.system}-${job.source?.id}`;
  const digest = createHash('sha1')
    .update(JSON.stringify([job.fields, job.clearFirst ?? []]))
    .digest('hex')
    .slice(0, 12);
  return `${job.system}-${job.object}-${job.id}-${digest}`;
}

export async function enqueueWrite(queues: LockstepQueues, job: WriteJob): Promise<void> {
  await queues.writes[job.system].add(job.op, job, { ...writeJobOptions, jobId: writeJobId(job) });
}
