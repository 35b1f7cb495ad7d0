import { describe, expect, it } from 'vitest';
import { dailyUsageOf, isIntoReserve } from '../../src/connector/daily-reserve.js';

describe('daily API reserve', () => {
  it('reads the daily figures only when both are there and the limit is positive', () => {
    expect(dailyUsageOf({ dailyUsed: 18, dailyLimit: 5000 })).toEqual({ used: 18, limit: 5000 });
    expect(dailyUsageOf({ dailyUsed: 18 })).toBeUndefined();
    expect(dailyUsageOf({ dailyLimit: 5000 })).toBeUndefined();
    expect(dailyUsageOf({ dailyUsed: 0, dailyLimit: 0 })).toBeUndefined();
    expect(dailyUsageOf({ retryAfterMs: 1000 })).toBeUndefined();
  });

  it('is into a 10% reserve once fewer than 10% of the calls are left', () => {
    expect(isIntoReserve({ used: 90_000, limit: 100_000 }, 0.1)).toBe(false);
    expect(isIntoReserve({ used: 90_001, limit: 100_000 }, 0.1)).toBe(true);
    // Salesforce lets an org run past its allowance for a while (api-usage=110018/100000).
    expect(isIntoReserve({ used: 110_018, limit: 100_000 }, 0.1)).toBe(true);
  });

  it('never pauses with the reserve turned off, even at the limit', () => {
    expect(isIntoReserve({ used: 100_000, limit: 100_000 }, 0)).toBe(false);
  });
});
