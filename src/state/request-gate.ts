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
import { type BudgetInfo, GATE_HELD, type RequestGate } from '../connector/request-gate.js';
import type { Keyspace } from './keyspace.js';
import { RedisScript } from './script.js';

export interface LaneLimit {
  requests: number;
  windowMs: number;
}

// KEYS: log, pause, the lane's system's reserve hold, the lane's probe slot.
// ARGV: limit (0: none), window ms, a log member unique to this call, this acquire's token, how long
// a probe slot lasts, the longest wait to return while another caller probes.
// Returns 0 when the call may go now (and logs it), -1 when it may go as the probe of a reserve hold,
// else the ms to wait. Time is Redis's own, so processes on hosts whose clocks differ share one window.
// While a daily reserve holds the system and its pause has run out, one call per lane at a time goes
// (the probe): its answer tells whether the allowance has room again, instead of every waiting call
// spending the reserve at once.
const ACQUIRE = new RedisScript(`
local paused = redis.call('pttl', KEYS[2])
if paused > 0 then return paused end
local held = redis.call('exists', KEYS[3]) == 1
local holder = false
if held then
  holder = redis.call('get', KEYS[4])
  if holder and holder ~= ARGV[4] then
    local left = redis.call('pttl', KEYS[4])
    local cap = tonumber(ARGV[6])
    if left > cap then left = cap end
    if left < 1 then left = 1 end
    return left
  end
end
local limit = tonumber(ARGV[1])
if limit > 0 then
  local time = redis.call('time')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  local window = tonumber(ARGV[2])
  redis.call('zremrangebyscore', KEYS[1], '-inf', now - window)
  if redis.call('zcard', KEYS[1]) >= limit then
    local oldest = redis.call('zrange', KEYS[1], 0, 0, 'WITHSCORES')
    local left = math.floor(tonumber(oldest[2]) + window - now) + 1
    if left < 1 then left = 1 end
    return left
  end
  redis.call('zadd', KEYS[1], now, ARGV[3])
  redis.call('pexpire', KEYS[1], window)
end
if not held then return 0 end
-- Claimed only once the call is admitted: a probe that still waits for the budget holds no slot.
if not holder then redis.call('set', KEYS[4], ARGV[4], 'PX', ARGV[5]) end
return -1`);

// A pause only ever grows: a short Retry-After must not cut a daily-limit pause that another call set.
const GROW_PAUSE = `
local function grow_pause(key, ms)
  if redis.call('pttl', key) < tonumber(ms) then redis.call('set', key, '1', 'PX', ms) end
end`;

// KEYS: pause. ARGV: ms. Sent as EVAL, not by SHA: pauses are rare, and a NOSCRIPT retry would let an
// acquire sent after the pause run before it (so HOLD and LIFT below too).
const PAUSE_AT_LEAST = `${GROW_PAUSE}
grow_pause(KEYS[1], ARGV[1])
return 1`;

// KEYS: the system's hold, then per lane its pause and its probe slot. ARGV: pause ms, hold ms.
// Into the reserve: every lane pauses, the hold is (re)set, and the probe slots are freed for the
// first calls after the pause.
const HOLD = `${GROW_PAUSE}
for i = 2, #KEYS, 2 do
  grow_pause(KEYS[i], ARGV[1])
  redis.call('del', KEYS[i + 1])
end
redis.call('set', KEYS[1], '1', 'PX', ARGV[2])
return 1`;

// KEYS: the system's hold, the reporting lane's probe slot, the other lanes' probe slots. ARGV: this
// process's token prefix. Only the process whose call holds the reporting lane's probe slot lifts the
// hold: an answer to a call sent before the hold (figures cross the line out of order) must not.
const LIFT = `
local holder = redis.call('get', KEYS[2])
if not holder or string.sub(holder, 1, #ARGV[1]) ~= ARGV[1] then return 0 end
redis.call('del', unpack(KEYS))
return 1`;

/** How long a probe of a lane whose answers carry the daily figures may take before another goes. */
const PROBE_ANSWER_MS = 30_000;
/** How long calls wait between looks while another call probes a reporting lane. */
const PROBE_WAIT_STEP_MS = 500;
/** A hold no answer has lifted ends on its own after a day: the allowance has rolled over by then. */
const HOLD_MAX_MS = 24 * 3_600_000;

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
  /** Systems this process took a probe slot of: its answer with room again lifts the hold for all. */
  private readonly probing = new Set<'hubspot' | 'salesforce'>();

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
    const system = systemOf(lane);
    const reserve = this.options.dailyReserves?.[system];
    // A lane whose answers carry the figures lifts the hold within one call; the others (HubSpot
    // search) never report, so they look once per pause only.
    const reports = reserve?.reportingLane === lane;
    const token = `${this.callerId}:${this.calls++}`;
    for (let attempt = 0; ; attempt += 1) {
      const wait = Number(
        await ACQUIRE.run(
          this.redis,
          [
            this.keys.gateLog(lane),
            this.keys.gatePause(lane),
            this.keys.gateHold(system),
            this.keys.gateProbe(lane),
          ],
          [
            limit?.requests ?? 0,
            limit?.windowMs ?? 0,
            `${token}:${attempt}`,
            token,
            reports ? PROBE_ANSWER_MS : (reserve?.pauseMs ?? PROBE_ANSWER_MS),
            // Short looks while a reporting lane's probe is out; on the others at most the time a
            // probe answer takes, so a queue held for it resumes soon after the hold lifts.
            reports ? PROBE_WAIT_STEP_MS : PROBE_ANSWER_MS,
          ],
        ),
      );
      if (wait === -1) this.probing.add(system);
      if (wait <= 0) return;
      if (wait > this.maxWaitMs) {
        // A long pause (a daily limit, a long Retry-After) must not hold a worker slot and its person
        // lock: hand it to the queue, which pauses without spending attempts.
        throw new RateLimitedError(
          systemOf(lane),
          `API budget for ${lane} paused`,
          wait,
          'burst',
          undefined,
          GATE_HELD,
        );
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
    if (!reserve) return;
    if (!isIntoReserve(usage, reserve.fraction)) {
      if (this.probing.delete(system)) void this.lift(system, reserve).catch(() => {});
      return;
    }
    const now = Date.now();
    if ((this.reservePausedUntil.get(system) ?? 0) > now) return;
    this.reservePausedUntil.set(system, now + reserve.pauseMs);
    // Through Redis, so every process holds off, not only the one that saw the figures.
    void this.hold(system, reserve).catch(() => {
      // Not held after all: the next answer into the reserve tries again.
      this.reservePausedUntil.delete(system);
    });
    this.options.onReservePause?.({ system, usage, fraction: reserve.fraction, pauseMs: reserve.pauseMs });
  }

  private async hold(system: 'hubspot' | 'salesforce', reserve: DailyReserve): Promise<void> {
    const keys = reserve.lanes.flatMap((lane) => [this.keys.gatePause(lane), this.keys.gateProbe(lane)]);
    await this.redis.eval(
      HOLD,
      keys.length + 1,
      this.keys.gateHold(system),
      ...keys,
      reserve.pauseMs,
      HOLD_MAX_MS,
    );
  }

  private async lift(system: 'hubspot' | 'salesforce', reserve: DailyReserve): Promise<void> {
    const others = reserve.lanes.filter((lane) => lane !== reserve.reportingLane);
    const keys = [
      this.keys.gateHold(system),
      this.keys.gateProbe(reserve.reportingLane),
      ...others.map((lane) => this.keys.gateProbe(lane)),
    ];
    if (Number(await this.redis.eval(LIFT, keys.length, ...keys, `${this.callerId}:`)) === 1)
      this.reservePausedUntil.delete(system);
  }
}
