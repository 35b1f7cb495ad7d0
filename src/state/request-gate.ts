/**
 * The shared API budget: a sliding log per lane in Redis (the time of every call in the last window),
 * so every worker in every process draws on one budget, plus a pause that any caller can set when the
 * vendor says "wait". A sliding log, not a fixed window: HubSpot's limit is rolling
 * (TEN_SECONDLY_ROLLING), and a fixed window lets twice the limit through across a window boundary.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  type DailyReserve,
  type DailyUsage,
  dailyUsageOf,
  isIntoReserve,
} from '../connector/daily-reserve.js';
import { RateLimitedError } from '../connector/errors.js';
import type { BudgetInfo, RequestGate } from '../connector/request-gate.js';
import type { Keyspace } from './keyspace.js';
import { RedisScript } from './script.js';

export interface LaneLimit {
  requests: number;
  windowMs: number;
}

// KEYS: log, pause. ARGV: limit, window ms, a member unique to this call.
// Returns 0 when the call may go now (and logs it), else the ms to wait. Time is Redis's own, so
// processes on hosts whose clocks differ still share one window.
const ACQUIRE = new RedisScript(`
local paused = redis.call('pttl', KEYS[2])
if paused > 0 then return paused end
local time = redis.call('time')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('zremrangebyscore', KEYS[1], '-inf', now - window)
if redis.call('zcard', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('zadd', KEYS[1], now, ARGV[3])
  redis.call('pexpire', KEYS[1], window)
  return 0
end
local oldest = redis.call('zrange', KEYS[1], 0, 0, 'WITHSCORES')
local left = math.floor(tonumber(oldest[2]) + window - now) + 1
if left < 1 then left = 1 end
return left`);

// KEYS: pause. ARGV: ms. A pause only ever grows: a short Retry-After must not cut a daily-limit
// pause that another call set. Sent as EVAL, not by SHA: pauses are rare, and a NOSCRIPT retry would
// let an acquire sent after the pause run before it.
const PAUSE_AT_LEAST = `
if redis.call('pttl', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('set', KEYS[1], '1', 'PX', ARGV[1])
end
return 1`;

/** The system a lane spends the allowance of. */
function systemOf(lane: string): 'hubspot' | 'salesforce' {
  return lane.startsWith('hubspot') ? 'hubspot' : 'salesforce';
}

export interface ReservePause {
  system: 'hubspot' | 'salesforce';
  usage: DailyUsage;
  fraction: number;
  pauseMs: number;
}

export interface RequestGateOptions {
  /** Waits longer than this are thrown as RateLimitedError instead of slept through. */
  maxWaitMs?: number;
  /** Per system, the share of the daily allowance to leave to others. */
  dailyReserves?: Partial<Record<'hubspot' | 'salesforce', DailyReserve>>;
  /** Told once per process each time a daily reserve pauses a system (for the log). */
  onReservePause?: (pause: ReservePause) => void;
}

export class RedisRequestGate implements RequestGate {
  /** Log members must be unique across processes, also for two calls in one millisecond. */
  private readonly callerId = randomBytes(6).toString('hex');
  private calls = 0;
  private readonly maxWaitMs: number;
  /** The daily figures each system reported last, for /metrics. */
  private readonly usage = new Map<'hubspot' | 'salesforce', DailyUsage>();
  /** Until when this process already paused a system for its reserve: one pause (and log line) per spell. */
  private readonly reservePausedUntil = new Map<'hubspot' | 'salesforce', number>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    private readonly limits: Record<string, LaneLimit>,
    private readonly options: RequestGateOptions = {},
  ) {
    this.maxWaitMs = options.maxWaitMs ?? 15_000;
  }

  async acquire(lane: string): Promise<void> {
    const limit = this.limits[lane];
    for (;;) {
      let wait: number;
      if (limit) {
        wait = Number(
          await ACQUIRE.run(
            this.redis,
            [this.keys.gateLog(lane), this.keys.gatePause(lane)],
            [limit.requests, limit.windowMs, `${this.callerId}:${this.calls++}`],
          ),
        );
      } else {
        wait = Math.max(0, await this.redis.pttl(this.keys.gatePause(lane)));
      }
      if (wait <= 0) return;
      if (wait > this.maxWaitMs) {
        // A long pause (a daily limit, a long Retry-After) must not hold a worker slot and its person
        // lock: hand it to the queue, which pauses without spending attempts.
        throw new RateLimitedError(systemOf(lane), `API budget for ${lane} paused`, wait, 'burst');
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  observe(lane: string, info: BudgetInfo): void {
    // A pause that fails to land costs nothing lasting: the vendor's next answer says "wait" again.
    if (info.retryAfterMs && info.retryAfterMs > 0) void this.pause(lane, info.retryAfterMs).catch(() => {});
    const usage = dailyUsageOf(info);
    if (usage) this.observeDaily(systemOf(lane), usage);
  }

  /** Holds every call on `lane` for at least `ms` (a longer pause already set stays). */
  async pause(lane: string, ms: number): Promise<void> {
    await this.redis.eval(PAUSE_AT_LEAST, 1, this.keys.gatePause(lane), Math.ceil(ms));
  }

  /** The daily figures each system reported last. */
  dailyUsage(): Array<{ system: 'hubspot' | 'salesforce' } & DailyUsage> {
    return [...this.usage].map(([system, usage]) => ({ system, ...usage }));
  }

  private observeDaily(system: 'hubspot' | 'salesforce', usage: DailyUsage): void {
    this.usage.set(system, usage);
    const reserve = this.options.dailyReserves?.[system];
    if (!reserve || !isIntoReserve(usage, reserve.fraction)) return;
    const now = Date.now();
    if ((this.reservePausedUntil.get(system) ?? 0) > now) return;
    this.reservePausedUntil.set(system, now + reserve.pauseMs);
    // Through Redis, so every process holds off, not only the one that saw the figures.
    for (const lane of reserve.lanes) void this.pause(lane, reserve.pauseMs).catch(() => {});
    this.options.onReservePause?.({ system, usage, fraction: reserve.fraction, pauseMs: reserve.pauseMs });
  }
}
