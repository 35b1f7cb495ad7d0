/** Command-line options of `npm run bench` (flags win over environment variables). */

export interface BenchOptions {
  /** Linked people seeded on both sides; also the number of changes in the bulk phase. */
  people: number;
  /** Real HubSpot budgets (simulator 190 / 10 s and 5 searches / s; daemon defaults) instead of none. */
  realisticLimits: boolean;
  /** Give up after this long (whole run). */
  timeoutMs: number;
  /** Daemon poll interval for both systems. */
  pollIntervalMs: number;
  /** How often the bench looks at the simulators' stores for propagated values. */
  sampleEveryMs: number;
  /** Write a V8 CPU profile of the bulk phase (first change → idle) to this file. */
  cpuProfile?: string;
  /** Daemon instances sharing the Redis, each on its own thread (a scaled-out deployment). */
  daemons: number;
}

const USAGE = `usage: npm run bench -- [--people N] [--daemons K] [--realistic-limits] [--timeout-s S]
  --people N          linked people and changes (default 2000; env BENCH_PEOPLE)
  --daemons K         daemon instances sharing one Redis, each on its own thread (default 1)
  --realistic-limits  HubSpot rate limits as in production (default: limits off)
  --timeout-s S       give up after S seconds (default 300; env BENCH_TIMEOUT_S)
  --cpu-prof FILE     write a CPU profile of the bulk phase (open in Chrome DevTools)`;

export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

/** `--help`: the usage is the answer, not an error. */
export class BenchHelpRequested extends Error {
  override name = 'BenchHelpRequested';
}

function wholeNumber(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isInteger(value) || value < min || value > max)
    throw new BenchUsageError(`${name} must be a whole number from ${min} to ${max}\n${USAGE}`);
  return value;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  let people = env.BENCH_PEOPLE;
  let timeout = env.BENCH_TIMEOUT_S;
  let realisticLimits = false;
  let cpuProfile: string | undefined;
  let daemons: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg];
    const value = () => inline ?? argv[++i];
    if (flag === '--people') people = value();
    else if (flag === '--timeout-s') timeout = value();
    else if (flag === '--realistic-limits') realisticLimits = true;
    else if (flag === '--cpu-prof') cpuProfile = value();
    else if (flag === '--daemons') daemons = value();
    else if (flag === '--help' || flag === '-h') throw new BenchHelpRequested(USAGE);
    else throw new BenchUsageError(`unknown option ${arg}\n${USAGE}`);
  }
  return {
    people: people === undefined ? 2000 : wholeNumber('--people', people, 2, 100_000),
    realisticLimits,
    timeoutMs: (timeout === undefined ? 300 : wholeNumber('--timeout-s', timeout, 5, 86_400)) * 1000,
    pollIntervalMs: 200,
    sampleEveryMs: 20,
    ...(cpuProfile ? { cpuProfile } : {}),
    daemons: daemons === undefined ? 1 : wholeNumber('--daemons', daemons, 1, 8),
  };
}
