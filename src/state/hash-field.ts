/**
 * Atomic single-field operations on a Redis hash that plain commands cannot do in one step. Shared
 * by the echo notes (base-store.ts) and the dead-letter index (dead-letter-index.ts).
 */
import type { Redis } from 'ioredis';
import { RedisScript } from './script.js';

const SWAP = new RedisScript(
  `local old = redis.call('HGET', KEYS[1], ARGV[1]) redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return old`,
);

const REPLACE_IF_SAME = new RedisScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) else redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`);

/** Sets the field and returns the value it replaced, or null. */
export async function swapField(
  redis: Redis,
  key: string,
  field: string,
  value: string,
): Promise<string | null> {
  return (await SWAP.run(redis, [key], [field, value])) as string | null;
}

/**
 * If the field still holds `expected`, sets it to `replacement`, or deletes it when that is null;
 * a field someone changed meanwhile is left alone.
 */
export async function replaceFieldIfSame(
  redis: Redis,
  key: string,
  field: string,
  expected: string,
  replacement: string | null,
): Promise<void> {
  await REPLACE_IF_SAME.run(redis, [key], [field, expected, replacement ?? '']);
}
