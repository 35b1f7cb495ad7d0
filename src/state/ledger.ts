/**
 * The ledger: an append-only Redis stream of every stage transition, conflict and write, with time,
 * person, field, old → new value and origin. Funnel and SLA reports are computed from it.
 */
import type { Redis } from 'ioredis';
import type { Keyspace } from './keyspace.js';

export type LedgerKind =
  | 'stage'
  | 'write'
  | 'create'
  | 'conflict'
  | 'link'
  | 'backward-ignored'
  /** A queued write dropped because the field changed after the sync was planned. */
  | 'superseded';

export interface LedgerEntry {
  kind: LedgerKind;
  /** HubSpot contact id of the person (the stable person key). */
  person: string;
  /** `hubspot` / `salesforce` for writes and creates: the system written to. */
  system?: string;
  object?: string;
  recordId?: string;
  field?: string;
  from?: unknown;
  to?: unknown;
  /** Where the change came from: hubspot, salesforce, qualification, lockstep. */
  origin?: string;
}

export interface StoredLedgerEntry extends LedgerEntry {
  id: string;
  at: string;
}

export class Ledger {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    private readonly now: () => number = Date.now,
  ) {}

  async append(entries: LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const at = new Date(this.now()).toISOString();
    // Plain commands on the auto-pipelined state connection: they share one round trip with every
    // other command of this tick, without the cost of an explicit pipeline per append.
    await Promise.all(
      entries.map((entry) =>
        this.redis.xadd(this.keys.ledger, '*', 'at', at, 'entry', JSON.stringify(entry)),
      ),
    );
  }

  async read(count = 100, after = '-'): Promise<StoredLedgerEntry[]> {
    const rows = await this.redis.xrange(this.keys.ledger, after, '+', 'COUNT', count);
    return rows.map(([id, fields]) => {
      const values = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i]!, fields[i + 1]!);
      return { id, at: values.get('at') ?? '', ...(JSON.parse(values.get('entry') ?? '{}') as LedgerEntry) };
    });
  }

  async length(): Promise<number> {
    return this.redis.xlen(this.keys.ledger);
  }
}
