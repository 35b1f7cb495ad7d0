/**
 * Salesforce connection settings, validated with zod. The core maps `SALESFORCE_*` env vars onto this
 * shape (see {@link salesforceConfigFromEnv}); DESIGN.md §3 "Environment" is the contract.
 */
import { z } from 'zod';

/** Env vars may be set but empty; treat that as "not set" rather than as an invalid value. */
function blankToUndefined<T>(value: T | '' | undefined): T | undefined {
  return value === '' ? undefined : value;
}

/** Token responses may carry `instance_url` with a trailing '/', and admins paste URLs with one too. */
const baseUrl = z
  .url()
  .transform((url) => url.replace(/\/+$/, ''))
  .refine((url) => !url.includes('.lightning.force.com'), {
    // jsforce throws on these; say why at config time instead.
    message: 'use the My Domain URL (*.my.salesforce.com), not a lightning.force.com URL',
  });

const optionalText = z.string().optional().transform(blankToUndefined);
const optionalUrl = z
  .union([z.literal(''), baseUrl])
  .optional()
  .transform(blankToUndefined);

export const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';
export const DEFAULT_API_VERSION = '62.0';

export const salesforceConfigSchema = z
  .object({
    /** Instance of a ready session, e.g. `https://acme.my.salesforce.com` (trailing '/' stripped). */
    instanceUrl: optionalUrl,
    /** Access token of a ready session (used until the first 401). */
    accessToken: optionalText,
    /** OAuth server; the token endpoint is `{loginUrl}/services/oauth2/token`. @defaultValue `https://login.salesforce.com` */
    loginUrl: optionalUrl.transform((url) => url ?? DEFAULT_LOGIN_URL),
    clientId: optionalText,
    clientSecret: optionalText,
    refreshToken: optionalText,
    username: optionalText,
    password: optionalText,
    /** PEM private key for the JWT bearer flow (the connected app holds the certificate). */
    jwtKeyFile: optionalText,
    /** REST version. @defaultValue `62.0` — never jsforce's own default (50.0). */
    apiVersion: z
      .union([z.literal(''), z.string().regex(/^\d{2,3}\.0$/, 'expected a REST API version such as 62.0')])
      .optional()
      .transform((version) => version || DEFAULT_API_VERSION),
    /** Sent as `Sforce-Call-Options: client=<value>`; reappears in CDC `changeOrigin` for echo suppression. @defaultValue `lockstep` */
    callOptionsClient: z
      .union([z.literal(''), z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')])
      .optional()
      .transform((client) => client || 'lockstep'),
    /** Abort a request that has not answered after this long. @defaultValue 120000 */
    requestTimeoutMs: z.number().int().positive().default(120_000),
  })
  .superRefine((config, ctx) => {
    const need = (field: keyof typeof config, why: string) => {
      if (config[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `required ${why}` });
    };
    if (config.jwtKeyFile !== undefined) {
      need('clientId', 'for the JWT bearer flow (the connected app consumer key)');
      need('username', 'for the JWT bearer flow (the JWT subject)');
    } else if (config.username !== undefined || config.password !== undefined) {
      need('username', 'with password');
      need('password', 'with username');
      // Without client credentials jsforce falls back to SOAP login(), which Salesforce retires in Summer '27.
      need('clientId', 'for the OAuth username-password flow');
      need('clientSecret', 'for the OAuth username-password flow');
    } else if (config.refreshToken !== undefined) {
      need('clientId', 'for the OAuth refresh-token flow');
    } else if (config.instanceUrl === undefined || config.accessToken === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          'no Salesforce credentials: set instanceUrl + accessToken, refreshToken + clientId, ' +
          'username + password + clientId + clientSecret, or jwtKeyFile + clientId + username',
      });
    }
    if ((config.instanceUrl === undefined) !== (config.accessToken === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['accessToken'],
        message: 'instanceUrl and accessToken go together',
      });
    }
  });

export type SalesforceConfig = z.output<typeof salesforceConfigSchema>;
export type SalesforceConfigInput = z.input<typeof salesforceConfigSchema>;

/** How a new access token is obtained when there is none yet or Salesforce answers 401. */
export type TokenGrant =
  | { kind: 'jwt'; clientId: string; username: string; keyFile: string }
  | { kind: 'password'; username: string; password: string }
  | { kind: 'refresh-token'; refreshToken: string }
  | { kind: 'none' };

/** The grant a validated config uses; precedence JWT > password > refresh token, as in the refine above. */
export function tokenGrantOf(config: SalesforceConfig): TokenGrant {
  if (config.jwtKeyFile !== undefined && config.clientId !== undefined && config.username !== undefined) {
    return { kind: 'jwt', clientId: config.clientId, username: config.username, keyFile: config.jwtKeyFile };
  }
  if (config.username !== undefined && config.password !== undefined) {
    return { kind: 'password', username: config.username, password: config.password };
  }
  if (config.refreshToken !== undefined) return { kind: 'refresh-token', refreshToken: config.refreshToken };
  return { kind: 'none' };
}

/** The documented env var (DESIGN.md §3) behind each setting, so a problem can name what to fix. */
export const SALESFORCE_ENV_VARS = {
  instanceUrl: 'SALESFORCE_INSTANCE_URL',
  accessToken: 'SALESFORCE_ACCESS_TOKEN',
  loginUrl: 'SALESFORCE_LOGIN_URL',
  clientId: 'SALESFORCE_CLIENT_ID',
  clientSecret: 'SALESFORCE_CLIENT_SECRET',
  refreshToken: 'SALESFORCE_REFRESH_TOKEN',
  username: 'SALESFORCE_USERNAME',
  password: 'SALESFORCE_PASSWORD',
  jwtKeyFile: 'SALESFORCE_JWT_KEY_FILE',
  apiVersion: 'SALESFORCE_API_VERSION',
} as const satisfies Partial<Record<keyof SalesforceConfigInput, string>>;

/** Maps the documented env vars onto the config input; parse the result with the schema. */
export function salesforceConfigFromEnv(env: Record<string, string | undefined>): SalesforceConfigInput {
  const input: Record<string, string | undefined> = {};
  for (const [setting, name] of Object.entries(SALESFORCE_ENV_VARS)) input[setting] = env[name];
  return input as SalesforceConfigInput;
}
