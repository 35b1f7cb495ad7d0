/**
 * Dead letters are BullMQ's failed sets (with the reason we wrote) across the lockstep queues. Ids
 * shown to admins are `<queue>/<job id>`.
 */
import type { Job } from 'bullmq';
import type { LockstepQueues } from './queues.js';

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

async function findJob(queues: LockstepQueues, id: string): Promise<Job | undefined> {
  const slash = id.indexOf('/');
  const queue = queues.all().find((q) => q.name === id.slice(0, slash));
  if (slash < 0 || !queue) return undefined;
  return (await queue.getJob(id.slice(slash + 1))) ?? undefined;
}

/** Moves dead letters back to their queue; returns how many were retried. */
export async function retryDeadLetters(queues: LockstepQueues, id: string | 'all'): Promise<number> {
  if (id === 'all') {
    let count = 0;
    for (const queue of queues.all()) {
      count += await queue.getFailedCount();
      await queue.retryJobs({ state: 'failed', count: 1000 });
    }
    return count;
  }
  const job = await findJob(queues, id);
  if (!job || !(await job.isFailed()))
    throw new Error(`no dead letter with id ${id}; list them with \`lockstep dead-letters list\``);
  await job.retry('failed');
  return 1;
}

export async function dropDeadLetter(queues: LockstepQueues, id: string): Promise<void> {
  const job = await findJob(queues, id);
  if (!job || !(await job.isFailed()))
    throw new Error(`no dead letter with id ${id}; list them with \`lockstep dead-letters list\``);
  await job.remove();
}
