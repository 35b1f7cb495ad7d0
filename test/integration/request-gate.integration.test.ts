import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LaneLimit, RedisRequestGate } from '../../src/state/request-gate.js';
import { RedisScope, sleep } from '../helpers/redis.js';

const WINDOW_MS = 200;
const limits: Record<string, LaneLimit> = {
  hubspot: { requests: 3, windowMs: WINDOW_MS },
  'hubspot-search': { requests: 3, windowMs: WINDOW_MS },
};

let scope: RedisScope;

beforeEach(() => {
  scope = new RedisScope();
});

afterEach(async () => {
  await scope.cleanup();
});

/** Waits for the start of a fresh window, so a burst does not straddle two windows by chance. */
async function atWindowStart(): Promise<void> {
  await sleep(WINDOW_MS - (Date.now() % WINDOW_MS) + 2);
}

async function timed(run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

describe('RedisRequestGate', () => {
  it('lets 3 calls through a 200 ms window and holds the 4th until the first is 200 ms old', async () => {
    const gate = new RedisRequestGate(scope.connect(), scope.keys, limits);
    await atWindowStart();
    const burst = await timed(async () => {
      for (let i = 0; i < 3; i += 1) await gate.acquire('hubspot');
    });
    expect(burst).toBeLessThan(60);
    const fourth = await timed(() => gate.acquire('hubspot'));
    expect(fourth).toBeGreaterThanOrEqual(100);
    expect(fourth).toBeLessThan(WINDOW_MS + 250);
  });

  it('never lets more than the limit through in any 200 ms span, across window boundaries too', async () => {
    const gate = new RedisRequestGate(scope.connect(), scope.keys, limits);
    // Start just before a fixed window would end: a fixed window would let 3 + 3 through at once.
    await sleep(WINDOW_MS - (Date.now() % WINDOW_MS) + WINDOW_MS - 30);
    const at: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      await gate.acquire('hubspot');
      at.push(performance.now());
    }
    for (let i = 0; i + 3 < at.length; i += 1)
      // Client-side stamps carry each reply's own latency: allow for its jitter on a busy machine. A
      // fixed window would put 3 + 3 calls within ~30 ms of each other here.
      expect(at[i + 3]! - at[i]!).toBeGreaterThanOrEqual(WINDOW_MS - 40);
  });

  it('pauses every acquire for the Retry-After the vendor sent', async () => {
    const gate = new RedisRequestGate(scope.connect(), scope.keys, limits);
    await gate.acquire('hubspot');
    gate.observe('hubspot', { retryAfterMs: 300 });
    const waited = await timed(() => gate.acquire('hubspot'));
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(700);
    // The pause is over: the next call goes at once (fresh window budget permitting).
    await atWindowStart();
    expect(await timed(() => gate.acquire('hubspot'))).toBeLessThan(60);
  });

  it('applies a pause to a lane without a configured limit too', async () => {
    const gate = new RedisRequestGate(scope.connect(), scope.keys, limits);
    expect(await timed(() => gate.acquire('salesforce'))).toBeLessThan(60);
    gate.observe('salesforce', { retryAfterMs: 300 });
    expect(await timed(() => gate.acquire('salesforce'))).toBeGreaterThanOrEqual(250);
  });

  it('keeps lanes independent: a spent or paused lane does not hold another', async () => {
    const gate = new RedisRequestGate(scope.connect(), scope.keys, limits);
    await atWindowStart();
    for (let i = 0; i < 3; i += 1) await gate.acquire('hubspot');
    gate.observe('hubspot', { retryAfterMs: 1_000 });
    const other = await timed(async () => {
      for (let i = 0; i < 3; i += 1) await gate.acquire('hubspot-search');
    });
    expect(other).toBeLessThan(60);
  });

  it('shares one budget between two gates on two connections (two processes)', async () => {
    const first = new RedisRequestGate(scope.connect('process-1'), scope.keys, limits);
    const second = new RedisRequestGate(scope.connect('process-2'), scope.keys, limits);
    await atWindowStart();
    await first.acquire('hubspot');
    await second.acquire('hubspot');
    await first.acquire('hubspot');
    const fourth = await timed(() => second.acquire('hubspot'));
    expect(fourth).toBeGreaterThanOrEqual(100);

    // A pause observed by one process holds the other.
    await atWindowStart();
    first.observe('hubspot-search', { retryAfterMs: 300 });
    await sleep(10);
    expect(await timed(() => second.acquire('hubspot-search'))).toBeGreaterThanOrEqual(200);
  });

  it('never lets a short Retry-After cut a longer pause another call set', async () => {
    const gate = new RedisRequestGate(scope.connect(), scope.keys, limits);
    await gate.pause('salesforce', 600);
    await gate.pause('salesforce', 50);
    const waited = await timed(() => gate.acquire('salesforce'));
    expect(waited).toBeGreaterThanOrEqual(450);
  });

  it('holds every lane of a system once its daily allowance is into the reserve, and says so once', async () => {
    const pauses: unknown[] = [];
    const gate = new RedisRequestGate(scope.connect(), scope.keys, limits, {
      dailyReserves: {
        hubspot: {
          fraction: 0.1,
          lanes: ['hubspot', 'hubspot-search'],
          reportingLane: 'hubspot',
          pauseMs: 400,
        },
        salesforce: { fraction: 0.1, lanes: ['salesforce'], reportingLane: 'salesforce', pauseMs: 400 },
      },
      onReservePause: (pause) => pauses.push(pause),
    });
    // 89% used: calls go on.
    gate.observe('hubspot', { dailyUsed: 890, dailyLimit: 1000 });
    await sleep(10);
    expect(await timed(() => gate.acquire('hubspot-search'))).toBeLessThan(60);
    expect(pauses).toEqual([]);

    // 95% used: HubSpot (search included) pauses; Salesforce does not.
    gate.observe('hubspot', { dailyUsed: 950, dailyLimit: 1000 });
    gate.observe('hubspot', { dailyUsed: 951, dailyLimit: 1000 });
    await sleep(10);
    expect(await timed(() => gate.acquire('salesforce'))).toBeLessThan(60);
    expect(await timed(() => gate.acquire('hubspot-search'))).toBeGreaterThanOrEqual(300);
    expect(pauses).toEqual([
      { system: 'hubspot', usage: { used: 950, limit: 1000 }, fraction: 0.1, pauseMs: 400 },
    ]);
    expect(gate.dailyUsage()).toEqual([{ system: 'hubspot', used: 951, limit: 1000 }]);
  });

  it('turns a pause longer than maxWaitMs into RateLimitedError, so the queue holds the job', async () => {
    const gate = new RedisRequestGate(scope.connect(), scope.keys, limits, {
      maxWaitMs: 100,
      dailyReserves: {
        salesforce: { fraction: 0.1, lanes: ['salesforce'], reportingLane: 'salesforce', pauseMs: 60_000 },
      },
    });
    gate.observe('salesforce', { dailyUsed: 99_000, dailyLimit: 100_000 });
    await sleep(10);
    await expect(gate.acquire('salesforce')).rejects.toMatchObject({
      name: 'RateLimitedError',
      system: 'salesforce',
      retryAfterMs: expect.any(Number),
    });
  });

  it('lets one call look again once the reserve pause is over, and the rest wait for its answer', async () => {
    const reserve = { fraction: 0.1, lanes: ['salesforce'], reportingLane: 'salesforce', pauseMs: 300 };
    const gate = new RedisRequestGate(scope.connect(), scope.keys, limits, {
      dailyReserves: { salesforce: reserve },
    });
    gate.observe('salesforce', { dailyUsed: 95_000, dailyLimit: 100_000 });
    await sleep(10);
    // The pause runs out: the first call goes (the probe), a second waits for the probe's answer.
    expect(await timed(() => gate.acquire('salesforce'))).toBeGreaterThanOrEqual(200);
    let secondDone = false;
    const second = timed(() => gate.acquire('salesforce')).finally(() => {
      secondDone = true;
    });
    await sleep(700);
    expect(secondDone).toBe(false);
    // The probe's answer: room again. The hold lifts and the waiting call goes.
    gate.observe('salesforce', { dailyUsed: 1_000, dailyLimit: 100_000 });
    expect(await second).toBeLessThan(700 + 800);
    await sleep(20);
    expect(await timed(() => gate.acquire('salesforce'))).toBeLessThan(60);
  });

  it("pauses again when the probe's answer is still into the reserve", async () => {
    const reserve = { fraction: 0.1, lanes: ['salesforce'], reportingLane: 'salesforce', pauseMs: 300 };
    const pauses: unknown[] = [];
    const gate = new RedisRequestGate(scope.connect(), scope.keys, limits, {
      dailyReserves: { salesforce: reserve },
      onReservePause: (pause) => pauses.push(pause),
    });
    gate.observe('salesforce', { dailyUsed: 95_000, dailyLimit: 100_000 });
    await sleep(10);
    await gate.acquire('salesforce'); // the probe, after the pause
    gate.observe('salesforce', { dailyUsed: 95_100, dailyLimit: 100_000 });
    await sleep(10);
    expect(await timed(() => gate.acquire('salesforce'))).toBeGreaterThanOrEqual(200);
    expect(pauses).toHaveLength(2);
  });

  it('shares the hold between processes: another process waits on the probe and sees the hold lift', async () => {
    const reserve = { fraction: 0.1, lanes: ['salesforce'], reportingLane: 'salesforce', pauseMs: 200 };
    const first = new RedisRequestGate(scope.connect('process-1'), scope.keys, limits, {
      dailyReserves: { salesforce: reserve },
    });
    const second = new RedisRequestGate(scope.connect('process-2'), scope.keys, limits, {
      dailyReserves: { salesforce: reserve },
    });
    first.observe('salesforce', { dailyUsed: 99_000, dailyLimit: 100_000 });
    await sleep(250);
    await first.acquire('salesforce'); // the probe
    const waiting = timed(() => second.acquire('salesforce'));
    await sleep(300);
    first.observe('salesforce', { dailyUsed: 10, dailyLimit: 100_000 });
    const waited = await waiting;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(1_500);
  });

  it('lets one search through per pause while HubSpot is held, and frees search once an answer shows room', async () => {
    const reserve = {
      fraction: 0.1,
      lanes: ['hubspot', 'hubspot-search'],
      reportingLane: 'hubspot',
      pauseMs: 300,
    };
    const gate = new RedisRequestGate(scope.connect(), scope.keys, limits, {
      dailyReserves: { hubspot: reserve },
    });
    gate.observe('hubspot', { dailyUsed: 960, dailyLimit: 1000 });
    await sleep(350);
    // Search answers carry no figures: one search per pause goes while the hold stands.
    expect(await timed(() => gate.acquire('hubspot-search'))).toBeLessThan(60);
    expect(await timed(() => gate.acquire('hubspot-search'))).toBeGreaterThanOrEqual(200);
    // A batch call probes the reporting lane; its answer shows room and lifts the hold for search too.
    await gate.acquire('hubspot');
    gate.observe('hubspot', { dailyUsed: 10, dailyLimit: 1000 });
    await sleep(20);
    expect(await timed(() => gate.acquire('hubspot-search'))).toBeLessThan(60);
  });

  it('is not lifted by a late answer with room to a call sent before the hold', async () => {
    const reserve = { fraction: 0.1, lanes: ['salesforce'], reportingLane: 'salesforce', pauseMs: 300 };
    const gate = new RedisRequestGate(scope.connect(), scope.keys, limits, {
      dailyReserves: { salesforce: reserve },
    });
    gate.observe('salesforce', { dailyUsed: 90_001, dailyLimit: 100_000 });
    await sleep(10);
    // Figures cross the line out of order: an older call answers with 89,999 used.
    gate.observe('salesforce', { dailyUsed: 89_999, dailyLimit: 100_000 });
    await gate.acquire('salesforce'); // after the pause: the probe
    let secondDone = false;
    const second = gate.acquire('salesforce').finally(() => {
      secondDone = true;
    });
    await sleep(600);
    expect(secondDone).toBe(false);
    gate.observe('salesforce', { dailyUsed: 80_000, dailyLimit: 100_000 });
    await second;
  });
});
