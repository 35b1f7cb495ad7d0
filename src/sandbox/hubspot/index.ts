/**
 * The HubSpot CRM simulator: a real loopback HTTP server the unmodified @hubspot/api-client talks to
 * through `basePath` (API-NOTES §5), plus an in-process API to seed and edit data as a HubSpot user
 * would (not over HTTP, not counted). See DESIGN.md §4.
 */
import {
  type CallCounts,
  type Fault,
  type SimRequest,
  type SimResponse,
  type SimRoute,
  SimServer,
} from '../sim-http.js';
import type { RouteContext } from './context.js';
import { normalizeProperties, propertyErrorMessage } from './properties.js';
import type { ObjectType } from './properties-data.js';
import { RateLimiter } from './rate-limit.js';
import { associationRoutes } from './routes-associations.js';
import { metaRoutes } from './routes-meta.js';
import { readRoutes } from './routes-read.js';
import { writeRoutes } from './routes-write.js';
import { type ChangeSource, type HistoryEntry, HubSpotStore, type StoredRecord } from './store.js';
import {
  postSignedWebhooks,
  type WebhookConfig,
  type WebhookDelivery,
  WebhookEmitter,
  type WebhookEvent,
} from './webhooks.js';
import { errorBody, UNAUTHORIZED_MESSAGE } from './wire.js';

export type { HistoryEntry } from './store.js';
export { signV3 } from './webhook-signer.js';
export type { WebhookConfig, WebhookDelivery, WebhookEvent } from './webhooks.js';

export interface HubSpotSimulatorOptions {
  /** Clock for record timestamps and the rate-limit windows (default Date.now). */
  now?: () => number;
  /** Bearer token the API accepts (default `pat-sandbox`). */
  accessToken?: string;
  /** Non-search requests per rolling 10 s (default 190). */
  tenSecondlyLimit?: number;
  /** Search requests per second (default 5). */
  searchPerSecondLimit?: number;
  /** Requests per UTC day (default 1,000,000). */
  dailyLimit?: number;
  /** `false` turns every rate limit (and the rate-limit headers) off. */
  rateLimits?: boolean;
  /** What an API write moving `lifecyclestage` backwards does (default `ignore`: 200, value unchanged). */
  lifecycleBackwardWrites?: 'ignore' | 'apply';
  /** Search sees records as they were this many ms ago (HubSpot's index lag; default 0). */
  searchIndexLagMs?: number;
  /** Send signed contact/deal webhooks for every change to this target. */
  webhooks?: WebhookConfig;
  /** App id API writes are attributed to (history and webhook `sourceId`); default webhooks.appId, else 1234567. */
  appId?: number;
}

/** A record as the in-process API returns it: every set property, and history newest first. */
export interface ObjectView {
  id: string;
  properties: Record<string, string>;
  history: Record<string, HistoryEntry[]>;
}

export interface HubSpotCallCounts extends CallCounts {
  /** Successful write calls in which no input changed any stored value (echoes, redundant writes). */
  unchangedWrites: number;
  /** Inputs of successful write calls that changed nothing, summed over all calls. */
  unchangedRecords: number;
  /** `unchangedWrites` per route name. */
  unchangedByRoute: Record<string, number>;
}

export type PropertyInput = Record<string, string | number | boolean | null>;

export class HubSpotSimulator {
  private readonly server: SimServer;
  private readonly store: HubSpotStore;
  private readonly now: () => number;
  private readonly webhooks: WebhookEmitter | undefined;
  private unchanged = { writes: 0, records: 0, byRoute: {} as Record<string, number> };
  private baseUrl: string | undefined;

  constructor(options: HubSpotSimulatorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.store = new HubSpotStore({
      now: this.now,
      lifecycleBackwardWrites: options.lifecycleBackwardWrites ?? 'ignore',
      searchIndexLagMs: options.searchIndexLagMs ?? 0,
    });
    if (options.webhooks) {
      const emitter = new WebhookEmitter(options.webhooks);
      this.store.onChange((event) => emitter.handle(event));
      this.webhooks = emitter;
    }
    const appId = options.appId ?? options.webhooks?.appId ?? 1234567;
    const ctx: RouteContext = {
      store: this.store,
      now: this.now,
      apiSource: { sourceType: 'INTEGRATION', sourceId: String(appId) },
      noteWrite: (route, inputs, unchanged) => {
        this.unchanged.records += unchanged;
        if (unchanged >= inputs) {
          this.unchanged.writes += 1;
          this.unchanged.byRoute[route] = (this.unchanged.byRoute[route] ?? 0) + 1;
        }
      },
    };
    const limiter =
      options.rateLimits === false
        ? undefined
        : new RateLimiter({
            tenSecondlyLimit: options.tenSecondlyLimit ?? 190,
            searchPerSecondLimit: options.searchPerSecondLimit ?? 5,
            dailyLimit: options.dailyLimit ?? 1_000_000,
            now: this.now,
          });
    const token = options.accessToken ?? 'pat-sandbox';
    const routes = [...readRoutes(ctx), ...writeRoutes(ctx), ...metaRoutes(), ...associationRoutes(ctx)];
    this.server = new SimServer(
      'HubSpot',
      routes.map((route) => guard(route, token, limiter)),
    );
  }

  async start(port = 0): Promise<string> {
    this.baseUrl = await this.server.listen(port);
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    await this.webhooks?.flush();
    await this.server.close();
    this.baseUrl = undefined;
  }

  /** Base URL while started. */
  get url(): string | undefined {
    return this.baseUrl;
  }

  calls(): HubSpotCallCounts {
    return {
      ...this.server.calls(),
      unchangedWrites: this.unchanged.writes,
      unchangedRecords: this.unchanged.records,
      unchangedByRoute: { ...this.unchanged.byRoute },
    };
  }

  resetCalls(): void {
    this.server.resetCalls();
    this.unchanged = { writes: 0, records: 0, byRoute: {} };
  }

  injectFault(fault: Fault): void {
    this.server.injectFault(fault);
  }

  clearFaults(): void {
    this.server.clearFaults();
  }

  // ---- in-process store API (seeding and simulated user edits; not HTTP, not counted) ----

  createContact(props: PropertyInput, source = 'CRM_UI'): string {
    return this.create('contacts', props, source);
  }

  /** A user / automation edit: no forward-only rule (the HubSpot UI may move stages backwards). */
  updateContact(id: string, props: PropertyInput, source = 'CRM_UI'): void {
    this.update('contacts', id, props, source);
  }

  getContact(id: string): ObjectView | undefined {
    return view(this.store.get('contacts', id));
  }

  allContacts(): ObjectView[] {
    return this.store.all('contacts').map((r) => view(r) as ObjectView);
  }

  createDeal(props: PropertyInput, source = 'CRM_UI'): string {
    return this.create('deals', props, source);
  }

  updateDeal(id: string, props: PropertyInput, source = 'CRM_UI'): void {
    this.update('deals', id, props, source);
  }

  getDeal(id: string): ObjectView | undefined {
    return view(this.store.get('deals', id));
  }

  allDeals(): ObjectView[] {
    return this.store.all('deals').map((r) => view(r) as ObjectView);
  }

  associate(contactId: string, dealId: string): void {
    if (!this.store.get('contacts', contactId)) throw new Error(`HubSpot simulator: no contact ${contactId}`);
    if (!this.store.get('deals', dealId)) throw new Error(`HubSpot simulator: no deal ${dealId}`);
    this.store.associate(contactId, dealId);
  }

  /** Sets a calculated / read-only property (hubspotscore, hs_analytics_*…) the API cannot write. */
  setReadOnly(id: string, prop: string, value: string | number | null): void {
    const objectType: ObjectType = this.store.get('contacts', id) ? 'contacts' : 'deals';
    const { values, errors } = normalizeProperties(objectType, { [prop]: value }, { allowReadOnly: true });
    if (errors.length > 0) throw new Error(`HubSpot simulator: ${propertyErrorMessage(errors)}`);
    const done = this.store.update(
      objectType,
      id,
      values,
      { sourceType: 'CALCULATED' },
      { forwardOnlyLifecycle: false },
    );
    if (!done) throw new Error(`HubSpot simulator: no record ${id}`);
  }

  // ---- webhooks ----

  /** POSTs one signed v3 batch of events to `targetUrl` (for hand-made events). */
  sendWebhooks(
    targetUrl: string,
    events: WebhookEvent[],
    clientSecret: string,
    timestamp?: number,
  ): Promise<WebhookDelivery> {
    return postSignedWebhooks(targetUrl, events, clientSecret, timestamp);
  }

  /** Waits until every automatic webhook queued so far has been delivered. */
  async flushWebhooks(): Promise<void> {
    await this.webhooks?.flush();
  }

  /** Outcome of each automatic webhook request so far. */
  webhookDeliveries(): WebhookDelivery[] {
    return this.webhooks?.deliveries() ?? [];
  }

  private create(objectType: ObjectType, props: PropertyInput, sourceType: string): string {
    const values = this.validate(objectType, props);
    if (objectType === 'contacts' && values.email) {
      const owner = this.store.contactIdByEmail(values.email);
      if (owner) throw new Error(`HubSpot simulator: Contact already exists. Existing ID: ${owner}`);
    }
    return this.store.create(objectType, values, sourceOf(sourceType)).record.id;
  }

  private update(objectType: ObjectType, id: string, props: PropertyInput, sourceType: string): void {
    const values = this.validate(objectType, props);
    const owner =
      objectType === 'contacts' && values.email ? this.store.contactIdByEmail(values.email) : undefined;
    if (owner && owner !== id)
      throw new Error(`HubSpot simulator: Contact already exists. Existing ID: ${owner}`);
    const done = this.store.update(objectType, id, values, sourceOf(sourceType), {
      forwardOnlyLifecycle: false,
    });
    if (!done) throw new Error(`HubSpot simulator: no ${objectType} ${id}`);
  }

  /** Seeding mistakes throw at once instead of producing data the real portal could not hold. */
  private validate(objectType: ObjectType, props: PropertyInput): Record<string, string> {
    const { values, errors } = normalizeProperties(objectType, props, { allowReadOnly: false });
    if (errors.length > 0) throw new Error(`HubSpot simulator: ${propertyErrorMessage(errors)}`);
    return values;
  }
}

function sourceOf(sourceType: string): ChangeSource {
  return sourceType === 'CRM_UI' ? { sourceType, sourceId: 'userId:1' } : { sourceType };
}

function view(record: StoredRecord | undefined): ObjectView | undefined {
  if (!record) return undefined;
  const history: Record<string, HistoryEntry[]> = {};
  for (const [name, entries] of Object.entries(record.history))
    history[name] = entries.map((e) => ({ ...e }));
  return { id: record.id, properties: { ...record.properties }, history };
}

/** Auth first, then the rate budget; rate-limit headers go on every non-search answer. */
function guard(route: SimRoute, token: string, limiter: RateLimiter | undefined): SimRoute {
  return {
    ...route,
    handler: async (req: SimRequest): Promise<SimResponse> => {
      if (req.headers.authorization !== `Bearer ${token}`) {
        const body = errorBody('INVALID_AUTHENTICATION', UNAUTHORIZED_MESSAGE);
        return {
          status: 401,
          body: {
            status: body.status,
            message: body.message,
            correlationId: body.correlationId,
            category: body.category,
          },
        };
      }
      const decision = limiter?.take(route.name === 'search' ? 'search' : 'standard');
      if (decision && !decision.ok)
        return { status: decision.status, body: decision.body, headers: decision.headers };
      const answer = await route.handler(req);
      return { ...answer, headers: { ...decision?.headers, ...answer.headers } };
    },
  };
}
