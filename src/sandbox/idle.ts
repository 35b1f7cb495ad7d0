/** Waits until the pipeline has nothing left to do: no waiting, active or delayed jobs, twice in a row. */
import type { LockstepQueues } from '../pipeline/queues.js';

export async function busyJobs(queues: LockstepQueues): Promise<number> {
  let busy = 0;
  for (const queue of queues.all()) {
    const counts = await queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'waiting-children',
    );
    busy += Object.values(counts).reduce((a, b) => a + b, 0);
  }
  return busy;
}

export async function waitForIdle(
  queues: LockstepQueues,
  settleMs: number,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietSince: number | undefined;
  while (Date.now() < deadline) {
    if ((await busyJobs(queues)) === 0) {
      quietSince ??= Date.now();
      if (Date.now() - quietSince >= settleMs) return;
    } else quietSince = undefined;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the pipeline did not settle within ${timeoutMs} ms`);
}
