/**
 * The shared API budget: a fixed-window counter per lane in Redis, so every worker in every process
 * draws on one budget, plus a pause that any caller can set when the vendor says "wait".
 */
import type { Redis } from 'ioredis';
import { RateLimitedError } from '../connector/errors.js';
import type { BudgetInfo, RequestGate } from '../connector/request-gate.js';
import type { Keyspace } from './keyspace.js';
import { RedisScript } from './script.js';

export interface LaneLimit {
  requests: number;
  windowMs: number;
}

// Returns 0 when the call may go now, else the ms to wait.
const ACQUIRE = new RedisScript(`
local paused = redis.call('pttl', KEYS[2])
if paused > 0 then return paused end
local count = redis.call('incr', KEYS[1])
if count == 1 then redis.call('pexpire', KEYS[1], ARGV[2]) end
if count <= tonumber(ARGV[1]) then return 0 end
local left = redis.call('pttl', KEYS[1])
if left < 1 then left = 1 end
return left`);

export class RedisRequestGate implements RequestGate {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    private readonly limits: Record<string, LaneLimit>,
    private readonly now: () => number = Date.now,
    /** Waits longer than this are thrown as RateLimitedError instead of slept through. */
    private readonly maxWaitMs = 15_000,
  ) {}

  async acquire(lane: string): Promise<void> {
    const limit = this.limits[lane];
    for (;;) {
      let wait: number;
      if (limit) {
        const window = Math.floor(this.now() / limit.windowMs);
        wait = Number(
          await ACQUIRE.run(
            this.redis,
            [this.keys.gateWindow(lane, window), this.keys.gatePause(lane)],
            [limit.requests, limit.windowMs],
          ),
        );
      } else {
        wait = Math.max(0, await this.redis.pttl(this.keys.gatePause(lane)));
      }
      if (wait <= 0) return;
      if (wait > this.maxWaitMs) {
        // A long pause (a daily limit, a long Retry-After) must not hold a worker slot and its person
        // lock: hand it to the queue, which pauses without spending attempts.
        throw new RateLimitedError(
          lane.startsWith('hubspot') ? 'hubspot' : 'salesforce',
          `API budget for ${lane} paused`,
          wait,
          'burst',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  observe(lane: string, info: BudgetInfo): void {
    if (info.retryAfterMs && info.retryAfterMs > 0) void this.pause(lane, info.retryAfterMs);
  }

  async pause(lane: string, ms: number): Promise<void> {
    await this.redis.set(this.keys.gatePause(lane), '1', 'PX', Math.ceil(ms));
  }
}
