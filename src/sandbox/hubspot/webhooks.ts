/**
 * Outgoing webhooks, HubSpot → daemon (API-NOTES §2.12): store changes become contact/deal
 * `creation` and `propertyChange` events, delivered as signed v3 JSON arrays of at most 100 events.
 * Delivery is fire-and-forget like HubSpot's (no retries here); `flush()` lets tests wait for it.
 */
import type { ObjectType } from './properties-data.js';
import type { StoreEvent } from './store.js';
import { SIGNATURE_HEADERS, signV3 } from './webhook-signer.js';

export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  propertyName?: string;
  propertyValue?: string;
  changeFlag?: string;
  changeSource: string;
  sourceId?: string;
}

export interface WebhookConfig {
  targetUrl: string;
  clientSecret: string;
  appId: number;
  /** Default 62515 (the portal id of HubSpot's own examples). */
  portalId?: number;
  /** Subscribed property names for propertyChange events; default: every non-system property. */
  properties?: string[];
}

export interface WebhookDelivery {
  /** HTTP status of the daemon's answer; 0 when the request failed outright. */
  status: number;
  events: number;
  error?: string;
}

const MAX_EVENTS_PER_REQUEST = 100;
const SINGULAR: Record<ObjectType, string> = { contacts: 'contact', deals: 'deal' };
const SUBSCRIPTION_IDS: Record<string, number> = {
  'contact.creation': 1001,
  'contact.propertyChange': 1002,
  'deal.creation': 1003,
  'deal.propertyChange': 1004,
};

/**
 * POSTs one signed batch. The request timestamp is wall-clock time (not the simulator's settable
 * clock) unless given, because receivers reject signatures older than five minutes.
 */
export async function postSignedWebhooks(
  targetUrl: string,
  events: WebhookEvent[],
  clientSecret: string,
  timestamp: number = Date.now(),
): Promise<WebhookDelivery> {
  const body = JSON.stringify(events);
  const signature = signV3({ clientSecret, method: 'POST', uri: targetUrl, body, timestamp });
  try {
    const response = await fetch(targetUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) - Lockstep sandbox simulator',
        [SIGNATURE_HEADERS.signature]: signature,
        [SIGNATURE_HEADERS.timestamp]: String(timestamp),
        [SIGNATURE_HEADERS.version]: 'v3',
        'X-HubSpot-Timeout-Millis': '10000',
      },
      body,
    });
    await response.arrayBuffer();
    return { status: response.status, events: events.length };
  } catch (error) {
    return { status: 0, events: events.length, error: (error as Error).message };
  }
}

export class WebhookEmitter {
  private readonly pending: WebhookEvent[] = [];
  private readonly log: WebhookDelivery[] = [];
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  private nextEventId = 1;

  constructor(private readonly config: WebhookConfig) {}

  /** Store listener: queues the event and schedules a delivery on the next turn of the loop. */
  handle(event: StoreEvent): void {
    const subscriptionType = `${SINGULAR[event.objectType]}.${event.kind}`;
    const base = {
      eventId: this.nextEventId++,
      subscriptionId: SUBSCRIPTION_IDS[subscriptionType] ?? 1000,
      portalId: this.config.portalId ?? 62515,
      appId: this.config.appId,
      occurredAt: event.at,
      subscriptionType,
      attemptNumber: 0,
      objectId: Number(event.id),
    };
    const source = { changeSource: event.source.sourceType, sourceId: event.source.sourceId };
    if (event.kind === 'creation') {
      this.pending.push({ ...base, changeFlag: 'CREATED', ...source });
    } else {
      const wanted = this.config.properties;
      if (wanted && !wanted.includes(event.propertyName)) return;
      this.pending.push({ ...base, propertyName: event.propertyName, propertyValue: event.value, ...source });
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
  }

  /** Resolves once every event queued so far has been delivered (or failed to be). */
  flush(): Promise<void> {
    this.chain = this.chain.then(() => this.drain());
    return this.chain;
  }

  deliveries(): WebhookDelivery[] {
    return this.log.map((d) => ({ ...d }));
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_EVENTS_PER_REQUEST);
      this.log.push(await postSignedWebhooks(this.config.targetUrl, batch, this.config.clientSecret));
    }
  }
}
