/**
 * Every environment variable Lockstep reads (DESIGN.md §3), validated with zod. Secrets come only
 * from here and are never logged (see log.ts).
 */
import { z } from 'zod';
import {
  HUBSPOT_ENV_VARS,
  type HubSpotConfigInput,
  hubspotConfigSchema,
} from '../../connectors/hubspot/config.js';
import { SALESFORCE_ENV_VARS, salesforceConfigSchema } from '../../connectors/salesforce/config.js';
import { type SalesforceConfigInput, salesforceConfigFromEnv } from '../../connectors/salesforce/index.js';

const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optional = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const envSchema = z.object({
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  LOCKSTEP_REDIS_PREFIX: z
    .string()
    // Braces make a Redis Cluster hash tag ({lockstep}): every key in one slot, as multi-key scripts need.
    .regex(
      /^(\{[A-Za-z0-9_.-]+\}|[A-Za-z0-9_.-]+)$/,
      'letters, digits, _ . - only, optionally in one pair of braces',
    )
    .default('lockstep'),
  LOCKSTEP_MAPPINGS_DIR: z.string().default('./mappings'),
  PORT: int(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOCKSTEP_POLL_INTERVAL_MS: int(5000),
  LOCKSTEP_PUBLIC_URL: optional,
  HUBSPOT_ACCESS_TOKEN: optional,
  HUBSPOT_BASE_URL: z.string().default('https://api.hubapi.com'),
  HUBSPOT_CLIENT_SECRET: optional,
  /** Our share of the portal's 10-second budget (HubSpot: 100 Free/Starter, 190 Pro/Enterprise). */
  LOCKSTEP_HUBSPOT_REQUESTS_PER_10S: int(150),
  /** The search API has its own low per-second limit and no rate headers. */
  LOCKSTEP_HUBSPOT_SEARCHES_PER_SECOND: int(4),
  /**
   * How late HubSpot search may index an update. The saved HubSpot cursor stays this far behind and
   * the stretch is read again every 30 s, so a late-indexed change is still captured; 0 turns it off.
   */
  LOCKSTEP_HUBSPOT_SEARCH_LAG_MS: z.coerce.number().int().min(0).default(60_000),
  /**
   * Per cent of the daily API allowance left to other integrations: once the vendor's own figures
   * (Sforce-Limit-Info, X-HubSpot-RateLimit-Daily-Remaining) show less than this left, calls to that
   * vendor pause and are looked at again every 15 minutes. 0 turns it off.
   */
  LOCKSTEP_SALESFORCE_DAILY_RESERVE_PERCENT: z.coerce.number().min(0).max(90).default(10),
  LOCKSTEP_HUBSPOT_DAILY_RESERVE_PERCENT: z.coerce.number().min(0).max(90).default(10),
  /** People synced at once per process; their reads coalesce into batches. */
  LOCKSTEP_SYNC_CONCURRENCY: int(200),
});

export type LockstepEnv = z.infer<typeof envSchema>;

export interface LockstepConfig {
  env: LockstepEnv;
  hubspot: HubSpotConfigInput;
  salesforce: SalesforceConfigInput;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function readConfig(given: Record<string, string | undefined> = process.env): LockstepConfig {
  // A variable set to nothing (`FOO=` in a compose file or .env) means "not set": its default applies.
  const source = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid environment:\n  ${lines.join('\n  ')}`);
  }
  const env = parsed.data;
  return {
    env,
    hubspot: { accessToken: env.HUBSPOT_ACCESS_TOKEN ?? '', baseUrl: env.HUBSPOT_BASE_URL },
    salesforce: salesforceConfigFromEnv(source),
  };
}

/** The settings `lockstep run` cannot start without, named with the fix. */
export function missingCredentials(config: LockstepConfig): string[] {
  const missing: string[] = [];
  if (!config.env.HUBSPOT_ACCESS_TOKEN) missing.push('HUBSPOT_ACCESS_TOKEN (a HubSpot private app token)');
  const sf = config.salesforce;
  const hasSession = sf.instanceUrl && sf.accessToken;
  const hasOauth = sf.clientId && (sf.refreshToken || (sf.username && sf.password) || sf.jwtKeyFile);
  if (!hasSession && !hasOauth) {
    missing.push(
      'Salesforce credentials: SALESFORCE_INSTANCE_URL + SALESFORCE_ACCESS_TOKEN, or SALESFORCE_CLIENT_ID with SALESFORCE_REFRESH_TOKEN, SALESFORCE_USERNAME + SALESFORCE_PASSWORD, or SALESFORCE_JWT_KEY_FILE',
    );
  }
  return missing;
}

/**
 * The connector settings checked the way the connectors will parse them, before anything connects:
 * a combination the connectors refuse (a password without a client secret, a malformed URL) is a
 * configuration error (exit 2) naming the variable, not a crash after Redis is already open.
 */
export function connectorSettingProblems(config: LockstepConfig): string[] {
  const problems: string[] = [];
  const varOf = (vars: Record<string, string>, issue: { path: readonly PropertyKey[] }, fallback: string) =>
    vars[String(issue.path[0])] ?? fallback;
  const hubspot = hubspotConfigSchema.safeParse(config.hubspot);
  if (!hubspot.success)
    for (const issue of hubspot.error.issues)
      problems.push(`${varOf(HUBSPOT_ENV_VARS, issue, 'HubSpot settings')}: ${issue.message}`);
  const salesforce = salesforceConfigSchema.safeParse(config.salesforce);
  if (!salesforce.success)
    for (const issue of salesforce.error.issues)
      problems.push(`${varOf(SALESFORCE_ENV_VARS, issue, 'Salesforce settings')}: ${issue.message}`);
  return problems;
}

/** Throws ConfigError (exit 2) listing every missing or invalid connector setting. */
export function requireConnectorSettings(config: LockstepConfig, command: string): void {
  const missing = missingCredentials(config);
  const problems = missing.length > 0 ? missing.map((m) => `missing ${m}`) : connectorSettingProblems(config);
  if (problems.length > 0)
    throw new ConfigError(
      `${command} needs valid settings:\n  ${problems.join('\n  ')}\n(or try \`lockstep sandbox\`, which needs no accounts)`,
    );
}
