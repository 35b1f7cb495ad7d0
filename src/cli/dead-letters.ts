import { readConfig } from '../config/env.js';
import { dropDeadLetter, listDeadLetters, retryDeadLetters } from '../pipeline/dead-letters.js';
import { createQueues } from '../pipeline/queues.js';
import { DeadLetterIndex } from '../state/dead-letter-index.js';
import { keyspace } from '../state/keyspace.js';
import { assertRedisReachable, connectRedis } from '../state/redis.js';
import { UsageError } from './usage-error.js';

export async function deadLettersCommand(
  action: 'list' | 'retry' | 'drop',
  id: string | undefined,
  opts: { limit?: string; json?: boolean; all?: boolean },
): Promise<void> {
  const limit = Number(opts.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError('--limit must be a whole number of 1 or more');
  if (action === 'retry' && !id && !opts.all) throw new UsageError('give a dead letter id, or --all');
  const { env } = readConfig();
  await assertRedisReachable(env.REDIS_URL);
  const redis = connectRedis(env.REDIS_URL, 'lockstep-cli');
  const queues = createQueues(redis, env.LOCKSTEP_REDIS_PREFIX);
  const index = new DeadLetterIndex(redis, keyspace(env.LOCKSTEP_REDIS_PREFIX));
  try {
    if (action === 'list') {
      const rows = await listDeadLetters(queues, limit);
      if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) process.stdout.write('no dead letters\n');
      else
        for (const row of rows)
          process.stdout.write(
            `${row.id}  ${row.failedAt ?? ''}  attempts=${row.attempts}\n  ${row.reason}\n`,
          );
    } else if (action === 'retry') {
      if (!id && !opts.all) throw new UsageError('give a dead letter id, or --all');
      const count = await retryDeadLetters(queues, index, opts.all ? 'all' : id!);
      process.stdout.write(`retried ${count} dead letter(s)\n`);
    } else {
      await dropDeadLetter(queues, index, id!);
      process.stdout.write(`dropped ${id}\n`);
    }
  } finally {
    await queues.close();
    await redis.quit();
  }
}
