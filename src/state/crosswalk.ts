/**
 * The crosswalk: HubSpot contact id ↔ Salesforce Lead/Contact id, both ways, in two Redis hashes.
 * The same links are written into both CRMs, so this can always be rebuilt from them.
 */
import type { Redis } from 'ioredis';
import type { Keyspace } from './keyspace.js';

export interface SalesforceRef {
  object: string;
  id: string;
}

export class Crosswalk {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  async link(hubspotId: string, salesforce: SalesforceRef): Promise<void> {
    const previous = await this.bySalesforceOfHubSpot(hubspotId);
    const previousHubSpot = await this.hubSpotOfSalesforce(salesforce.id);
    const tx = this.redis.multi();
    if (previous && previous.id !== salesforce.id) tx.hdel(this.keys.crosswalkSalesforce, previous.id);
    // Both directions stay one-to-one: the HubSpot id that held this Salesforce record loses its link.
    if (previousHubSpot && previousHubSpot !== hubspotId)
      tx.hdel(this.keys.crosswalkHubSpot, previousHubSpot);
    tx.hset(this.keys.crosswalkHubSpot, hubspotId, `${salesforce.object}:${salesforce.id}`);
    tx.hset(this.keys.crosswalkSalesforce, salesforce.id, hubspotId);
    await tx.exec();
  }

  async unlink(hubspotId: string): Promise<void> {
    const previous = await this.bySalesforceOfHubSpot(hubspotId);
    const tx = this.redis.multi().hdel(this.keys.crosswalkHubSpot, hubspotId);
    if (previous) tx.hdel(this.keys.crosswalkSalesforce, previous.id);
    await tx.exec();
  }

  async bySalesforceOfHubSpot(hubspotId: string): Promise<SalesforceRef | undefined> {
    const value = await this.redis.hget(this.keys.crosswalkHubSpot, hubspotId);
    if (!value) return undefined;
    const colon = value.indexOf(':');
    return { object: value.slice(0, colon), id: value.slice(colon + 1) };
  }

  async hubSpotOfSalesforce(salesforceId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.crosswalkSalesforce, salesforceId)) ?? undefined;
  }

  /** Many Salesforce ids at once (identity candidates): one round trip. */
  async hubSpotOfSalesforceMany(salesforceIds: string[]): Promise<Map<string, string>> {
    if (salesforceIds.length === 0) return new Map();
    const values = await this.redis.hmget(this.keys.crosswalkSalesforce, ...salesforceIds);
    const out = new Map<string, string>();
    salesforceIds.forEach((id, i) => {
      const value = values[i];
      if (value) out.set(id, value);
    });
    return out;
  }

  async hubSpotIdsLinked(hubspotIds: string[]): Promise<Map<string, SalesforceRef>> {
    if (hubspotIds.length === 0) return new Map();
    const values = await this.redis.hmget(this.keys.crosswalkHubSpot, ...hubspotIds);
    const out = new Map<string, SalesforceRef>();
    hubspotIds.forEach((id, i) => {
      const value = values[i];
      if (!value) return;
      const colon = value.indexOf(':');
      out.set(id, { object: value.slice(0, colon), id: value.slice(colon + 1) });
    });
    return out;
  }

  async size(): Promise<number> {
    return this.redis.hlen(this.keys.crosswalkHubSpot);
  }
}
