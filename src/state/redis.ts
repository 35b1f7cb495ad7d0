import { Redis } from 'ioredis';
import { withDeadline } from '../deadline.js';

/**
 * One ioredis connection. BullMQ requires `maxRetriesPerRequest: null` on connections it blocks on;
 * using it everywhere keeps one kind of connection in the process.
 */
export function connectRedis(url: string, name = 'lockstep'): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
}

/**
 * The connection for Lockstep's own state (crosswalk, bases, ledger, locks, gate): auto-pipelined, so
 * the many small commands that hundreds of concurrent syncs issue in one tick go out in one write.
 * BullMQ keeps plain connections; auto-pipelining is not supported for its blocking commands.
 */
export function connectStateRedis(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: 'lockstep-state',
    enableAutoPipelining: true,
  });
}

/**
 * Production Redis must never evict queue or state keys and must survive restarts; returns the
 * warnings to log when it is not so configured (DESIGN.md §3).
 */
export async function redisDurabilityWarnings(redis: Redis): Promise<string[]> {
  const warnings: string[] = [];
  const read = async (key: string) => {
    try {
      const reply = (await redis.config('GET', key)) as string[];
      return reply[1];
    } catch {
      return undefined; // managed Redis services often forbid CONFIG
    }
  };
  const policy = await read('maxmemory-policy');
  if (policy !== undefined && policy !== 'noeviction') {
    warnings.push(
      `Redis maxmemory-policy is "${policy}"; set it to "noeviction" or queued changes and sync state can be evicted`,
    );
  }
  const aof = await read('appendonly');
  if (aof !== undefined && aof !== 'yes') {
    warnings.push(
      'Redis appendonly is off; enable AOF persistence so cursors, the crosswalk and queued changes survive a restart',
    );
  }
  return warnings;
}

/** The URL without its password, for messages. */
export function redactedRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

export class RedisUnreachableError extends Error {
  override name = 'RedisUnreachableError';
}

/**
 * One PING with a deadline before a command starts. The working connections queue commands while
 * Redis is away (so a restart mid-run costs nothing), which at start-up would mean hanging silently.
 */
export async function assertRedisReachable(url: string, timeoutMs = 5_000): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    connectionName: 'lockstep-probe',
  });
  let lastError: unknown;
  probe.on('error', (error) => {
    lastError = error;
  });
  try {
    // connectTimeout ends once the socket is up: an endpoint that accepts and never answers needs
    // a deadline of its own.
    await withDeadline(
      probe.connect().then(() => probe.ping()),
      timeoutMs,
      () => new Error(`no answer within ${timeoutMs} ms`),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(lastError ?? error);
    throw new RedisUnreachableError(
      `Redis at ${redactedRedisUrl(url)} does not answer (${reason}); start Redis or set REDIS_URL`,
    );
  } finally {
    probe.disconnect();
  }
}

/** Deletes every key under `prefix:` (a sandbox or test keyspace), in batches; returns how many. */
export async function removeKeyspace(redis: Redis, prefix: string): Promise<number> {
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) removed += await redis.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}
