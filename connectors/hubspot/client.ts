/**
 * The @hubspot/api-client `Client`, one per (token, base URL) for the whole process.
 *
 * Why cached: every `new Client()` calls `ApiDecoratorService.getInstance().setDecorators(...)`, a
 * process-wide singleton, so a second client silently rewrites the retry/limiter behaviour of every
 * other one (API-NOTES §0.2; SDK `src/client.ts`). All clients built here use the same options, so even
 * two tokens cannot disturb each other.
 */
import { Client } from '@hubspot/api-client';
import type { HubSpotConfig } from './config.js';

/**
 * No SDK retries. `numberOfApiCallRetries` is the TOTAL attempt count (`for index = 1..n`), valid 0–6;
 * `0` (and `1`) mean one attempt, and `0` skips the RetryDecorator entirely (`getDecorators()` only adds
 * it when the value is > 0). Its retry would ignore `Retry-After`, log to the console and fight our own
 * retry layer (DESIGN.md §6), which works from the typed errors this connector throws. (`apiRequest`,
 * which transport.ts uses, goes through the same decorators, so a limiter or retry set by any other
 * `new Client()` in the process would wrap our calls too: build clients only here.)
 */
export const SDK_ATTEMPTS = 0;

const clients = new Map<string, Client>();

export function getHubSpotClient(config: Pick<HubSpotConfig, 'accessToken' | 'baseUrl'>): Client {
  const key = `${config.baseUrl}\n${config.accessToken}`;
  let client = clients.get(key);
  if (!client) {
    // No `limiterOptions`: the shared RequestGate (Redis) is the only limiter, across processes.
    client = new Client({
      accessToken: config.accessToken,
      basePath: config.baseUrl,
      numberOfApiCallRetries: SDK_ATTEMPTS,
    });
    clients.set(key, client);
  }
  return client;
}
