/** Figures: memory sampling, percentiles, API call summaries, Redis key counts, and the printed report. */
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import type { CallCounts } from '../src/sandbox/sim-http.js';

/** Samples process RSS every `everyMs` (timer unref'd: it never keeps the process alive). */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  peak = process.memoryUsage().rss;

  start(everyMs = 100): void {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  sample(): number {
    const rss = process.memoryUsage().rss;
    if (rss > this.peak) this.peak = rss;
    return rss;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }
}

/** Nearest-rank percentile of already sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface SystemCalls {
  reads: number;
  writes: number;
  total: number;
  byRoute: Record<string, number>;
}

export function systemCalls(counts: CallCounts): SystemCalls {
  return { reads: counts.reads, writes: counts.writes, total: counts.total, byRoute: { ...counts.byRoute } };
}

export function perChange(calls: SystemCalls, n: number) {
  const round = (x: number) => Number((x / n).toFixed(5));
  return {
    reads: round(calls.reads),
    writes: round(calls.writes),
    total: round(calls.total),
    byRoute: Object.fromEntries(Object.entries(calls.byRoute).map(([route, count]) => [route, round(count)])),
  };
}

/** CPU time the Redis server has used so far (INFO cpu), in ms. */
export async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return (field('used_cpu_sys') + field('used_cpu_user')) * 1000;
}

export async function scanKeys(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

const QUEUES = new Set(['changes', 'write-hubspot', 'write-salesforce']);

/**
 * Key counts per kind: the first segment after the prefix (crosswalk, base, ledger…); for the BullMQ
 * queues also the second (`changes:job` for job hashes, `changes:de` for deduplication keys, …).
 */
export function keyKinds(keys: string[], prefix: string): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const key of keys) {
    const [first = '', second = ''] = key.slice(prefix.length + 1).split(':');
    const kind = QUEUES.has(first) ? `${first}:${/^\d+$/.test(second) ? 'job' : second}` : first;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => a.localeCompare(b)));
}

export async function deleteKeys(redis: Redis, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
}

export const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
export const ms = (x: number) => Math.round(x * 10) / 10;

/** Rows of label / figure / target, printed as a fixed-width table. */
export function table(rows: Array<[string, string, string?]>): string {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows
    .map(([label, value, target]) =>
      `  ${label.padEnd(w0)}  ${value.padStart(w1)}${target ? `   target ${target}` : ''}`.trimEnd(),
    )
    .join('\n');
}

/**
 * Where the daemon's log lines go during the bench: counted by message, not printed, so a warning
 * repeated on every poll shows up as one line in the report instead of flooding it.
 */
export class LogTally extends Writable {
  readonly byMessage = new Map<string, { count: number; example: string }>();
  lines = 0;

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    for (const line of String(chunk).split('\n')) {
      if (!line.trim()) continue;
      this.lines += 1;
      let key = line.slice(0, 80);
      let example = line;
      try {
        const entry = JSON.parse(line) as { msg?: string; err?: { type?: string; message?: string } };
        key = `${entry.msg ?? ''}${entry.err?.type ? ` (${entry.err.type})` : ''}`;
        const parts = entry.err?.message?.split('\n') ?? [];
        const prose = parts.filter((part) => !/^\s*SELECT\b/i.test(part));
        const detail =
          prose.find((part) => /invalid|refused|denied/i.test(part)) ??
          prose.find((part) => /error|fail/i.test(part));
        example = `${key}${detail ? `: ${detail.trim()}` : ''}`;
      } catch {
        // not JSON: keep the raw line
      }
      const seen = this.byMessage.get(key);
      if (seen) seen.count += 1;
      else this.byMessage.set(key, { count: 1, example: example.slice(0, 300) });
    }
    done();
  }

  summary(): Array<{ count: number; message: string }> {
    return [...this.byMessage.values()].map((v) => ({ count: v.count, message: v.example }));
  }
}
