/**
 * HubSpot connection settings (DESIGN.md §3: HUBSPOT_ACCESS_TOKEN, HUBSPOT_BASE_URL).
 */
import { z } from 'zod';

export const DEFAULT_HUBSPOT_BASE_URL = 'https://api.hubapi.com';

export const hubspotConfigSchema = z.object({
  /** Private-app token (`pat-…`). Sent as `Authorization: Bearer`; it does not expire (API-NOTES §2.1). */
  accessToken: z.string().min(1),
  /**
   * API root. The SDK appends `/crm/v3/...` to it verbatim, so a trailing `/` would produce `//crm`.
   * @defaultValue `https://api.hubapi.com`
   */
  baseUrl: z
    .url()
    .default(DEFAULT_HUBSPOT_BASE_URL)
    .transform((url) => url.replace(/\/+$/, '')),
  /**
   * Give up on a call after this long. The SDK's `apiRequest` passes no timeout to node-fetch, so a
   * stalled connection would otherwise hold a worker forever.
   * @defaultValue 30000
   */
  requestTimeoutMs: z.number().int().positive().default(30_000),
});

/** Parsed settings (defaults applied). */
export type HubSpotConfig = z.infer<typeof hubspotConfigSchema>;
/** What callers may pass to {@link hubspotConfigSchema} (`baseUrl` and `requestTimeoutMs` optional). */
export type HubSpotConfigInput = z.input<typeof hubspotConfigSchema>;

/** The documented env var behind each setting, so a problem can name what to fix. */
export const HUBSPOT_ENV_VARS = {
  accessToken: 'HUBSPOT_ACCESS_TOKEN',
  baseUrl: 'HUBSPOT_BASE_URL',
} as const satisfies Partial<Record<keyof HubSpotConfigInput, string>>;
