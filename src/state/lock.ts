/** Short Redis locks (SET NX PX with an owner token) for per-person syncs and single-leader pollers. */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keyspace } from './keyspace.js';
import { RedisScript } from './script.js';

const RELEASE = new RedisScript(
  `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`,
);

const EXTEND = new RedisScript(
  `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`,
);

export class Locks {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  /** The owner token when acquired, undefined when someone else holds it. */
  async tryAcquire(name: string, ttlMs: number): Promise<string | undefined> {
    const token = randomUUID();
    const ok = await this.redis.set(this.keys.lock(name), token, 'PX', ttlMs, 'NX');
    return ok ? token : undefined;
  }

  /** Pushes the expiry of a lock this owner still holds; false when it was lost (expired, taken over). */
  async extend(name: string, token: string, ttlMs: number): Promise<boolean> {
    return Number(await EXTEND.run(this.redis, [this.keys.lock(name)], [token, ttlMs])) === 1;
  }

  async release(name: string, token: string): Promise<void> {
    await RELEASE.run(this.redis, [this.keys.lock(name)], [token]);
  }
}
