/**
 * Real-Redis helpers for integration tests: a unique key prefix per test, connections that are
 * tracked and closed, cleanup of every key under the prefix, and polling instead of fixed sleeps.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type Keyspace, keyspace } from '../../src/state/keyspace.js';
import { connectRedis, removeKeyspace } from '../../src/state/redis.js';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Deletes every key under `${prefix}:` (SCAN, never KEYS, so a shared Redis is not blocked). */
export const deletePrefix = removeKeyspace;

interface Closable {
  close(): Promise<unknown>;
}

/**
 * One test's corner of Redis: a random prefix, its keyspace and the connections opened for it.
 * `cleanup()` closes what was registered (workers before queues before connections) and deletes the
 * prefix's keys.
 */
export class RedisScope {
  readonly prefix = `lockstep-test-${randomUUID()}`;
  readonly keys: Keyspace = keyspace(this.prefix);
  private readonly connections: Redis[] = [];
  private readonly closables: Closable[] = [];

  connect(name = 'lockstep-test'): Redis {
    const redis = connectRedis(TEST_REDIS_URL, name);
    this.connections.push(redis);
    return redis;
  }

  /** Registers something to close on cleanup; closed in reverse order of registration. */
  track<T extends Closable>(closable: T): T {
    this.closables.push(closable);
    return closable;
  }

  async cleanup(): Promise<void> {
    try {
      // A worker stuck on a job (a failed test) must not keep the keys alive: give each close a bound.
      for (const closable of this.closables.reverse()) await withTimeout(closable.close(), 5_000);
    } finally {
      const janitor = connectRedis(TEST_REDIS_URL, 'lockstep-test-cleanup');
      try {
        await deletePrefix(janitor, this.prefix);
      } finally {
        await janitor.quit();
        await Promise.allSettled(this.connections.map((redis) => redis.quit()));
      }
    }
  }
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/** Polls `probe` until it returns a value other than undefined/false; fails with `what` on timeout. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

async function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
