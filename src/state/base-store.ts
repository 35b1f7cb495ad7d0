/**
 * The base snapshot per linked person: the canonical values both sides last agreed on. One Redis hash
 * per person, one field per canonical field, so a write that lands on one side updates only the fields
 * it really wrote. Bookkeeping fields beside them start with `~` (canonical names are lowercase words).
 */
import type { Redis } from 'ioredis';
import type { CanonicalFields, CanonicalValue } from '../mapping/values.js';
import { replaceFieldIfSame, swapField } from './hash-field.js';
import type { Keyspace } from './keyspace.js';
import { RedisScript } from './script.js';

/** The stage the ledger logged last. */
const LOGGED_STAGE = '~logged-stage';
/** Per canonical field, the conflict the ledger logged last (JSON of both values). */
const LOGGED_CONFLICT = '~logged-conflict:';

export interface StoredBase {
  base: CanonicalFields | null;
  loggedStage: string | undefined;
  /** Field → the conflict logged for it, as `conflictKey` gives it. */
  loggedConflicts: Record<string, string>;
}

/** How a conflict is remembered: the same two values again are the same conflict. */
export function conflictKey(hubspot: unknown, salesforce: unknown): string {
  return JSON.stringify([hubspot ?? null, salesforce ?? null]);
}
/** The last record per system that the poller judged against this base: `<ms>|<object>|<id>`. */
const ECHO_FIELD = { hubspot: '~echo:hubspot', salesforce: '~echo:salesforce' } as const;
/** Echo verdicts a landed write overtook, kept until their records are queued for a sync. */
const OVERTAKEN_FIELD = { hubspot: '~overtaken:hubspot', salesforce: '~overtaken:salesforce' } as const;

export interface EchoedRecord {
  system: 'hubspot' | 'salesforce';
  object: string;
  id: string;
}

/** An echo verdict handed back by `mergeWritten`, with the marker to clear once it is queued. */
export interface OvertakenEcho extends EchoedRecord {
  marker: string;
}

/** A note the poller wrote, with the one it replaced (restored if the record carries a change). */
export interface EchoNote extends EchoedRecord {
  person: string;
  marker: string;
  replaced: string | null;
}

/**
 * Merges a landed write's values. When that changes the base, the echo verdicts noted since ARGV[1]
 * (ms) no longer hold: they move to the overtaken fields. Every call returns what the overtaken
 * fields hold, so a crash between this and queueing the records only delays them to the next call
 * (a retried write lands here again), never loses them; `clearEchoes` empties them once queued.
 */
const MERGE_WRITTEN = new RedisScript(`
local changed = false
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) ~= ARGV[i + 1] then changed = true end
end
if #ARGV >= 3 then redis.call('HSET', KEYS[1], unpack(ARGV, 2)) end
local fields = {
  {'${ECHO_FIELD.hubspot}', '${OVERTAKEN_FIELD.hubspot}'},
  {'${ECHO_FIELD.salesforce}', '${OVERTAKEN_FIELD.salesforce}'},
}
if changed then
  for _, pair in ipairs(fields) do
    local marker = redis.call('HGET', KEYS[1], pair[1])
    if marker then
      local at = tonumber(string.match(marker, '^(%d+)|'))
      if at and at >= tonumber(ARGV[1]) then
        redis.call('HSET', KEYS[1], pair[2], marker)
        redis.call('HDEL', KEYS[1], pair[1])
      end
    end
  end
end
local overtaken = {}
for _, pair in ipairs(fields) do
  local marker = redis.call('HGET', KEYS[1], pair[2])
  if marker then
    table.insert(overtaken, pair[2])
    table.insert(overtaken, marker)
  end
end
return overtaken`);

export class BaseStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  async get(person: string): Promise<CanonicalFields | null> {
    return (await this.read(person)).base;
  }

  /** The base, and the stage and conflicts the ledger last logged, in one round trip. */
  async read(person: string): Promise<StoredBase> {
    return parseStored(await this.redis.hgetall(this.keys.base(person)));
  }

  /** Bases of many people in one pipelined round trip (the poller's echo check). */
  async getMany(persons: string[]): Promise<Map<string, CanonicalFields | null>> {
    const out = new Map<string, CanonicalFields | null>();
    if (persons.length === 0) return out;
    const pipeline = this.redis.pipeline();
    for (const person of persons) pipeline.hgetall(this.keys.base(person));
    const replies = (await pipeline.exec()) ?? [];
    persons.forEach((person, i) => {
      const [error, stored] = replies[i] ?? [new Error('no reply'), null];
      if (error) throw error;
      out.set(person, parseStored(stored as Record<string, string>).base);
    });
    return out;
  }

  /**
   * Merges canonical values into the base; `loggedStage` and `loggedConflicts` record what the ledger
   * logged last, so a transition or conflict still being written is logged once. One HSET.
   */
  async merge(
    person: string,
    values: CanonicalFields,
    loggedStage?: string,
    loggedConflicts: Record<string, string> = {},
  ): Promise<void> {
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) fields[name] = JSON.stringify(value);
    if (loggedStage !== undefined) fields[LOGGED_STAGE] = loggedStage;
    for (const [name, key] of Object.entries(loggedConflicts)) fields[`${LOGGED_CONFLICT}${name}`] = key;
    if (Object.keys(fields).length === 0) return;
    await this.redis.hset(this.keys.base(person), fields);
  }

  /**
   * A write landed: merges the values it established, and returns the records the poller dropped as
   * echoes at or after `since` (the write's plan) if the merge changed the base. Such a record was
   * compared with a base that no longer holds (someone reverted it while the write was in flight), so
   * it must be synced after all.
   */
  async mergeWritten(person: string, values: CanonicalFields, since: number): Promise<OvertakenEcho[]> {
    const args: string[] = [String(Math.floor(since))];
    for (const [name, value] of Object.entries(values)) args.push(name, JSON.stringify(value));
    const reply = (await MERGE_WRITTEN.run(this.redis, [this.keys.base(person)], args)) as string[];
    const stale: OvertakenEcho[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const system = reply[i] === OVERTAKEN_FIELD.hubspot ? 'hubspot' : 'salesforce';
      const marker = reply[i + 1]!;
      const [, object, id] = marker.split('|');
      if (object && id) stale.push({ system, object, id, marker });
    }
    return stale;
  }

  /** Forgets overtaken verdicts once their records are queued, unless a newer one replaced one. */
  async clearEchoes(person: string, echoes: readonly OvertakenEcho[]): Promise<void> {
    await Promise.all(
      echoes.map((echo) =>
        replaceFieldIfSame(
          this.redis,
          this.keys.base(person),
          OVERTAKEN_FIELD[echo.system],
          echo.marker,
          null,
        ),
      ),
    );
  }

  /**
   * Notes that the poller is judging these records against their person's base (see
   * `mergeWritten`). Noted before the base is read, so a write landing in between still finds it.
   */
  async noteEchoes(records: Array<EchoedRecord & { person: string }>, at: number): Promise<EchoNote[]> {
    return Promise.all(
      records.map(async (record) => {
        const marker = `${Math.floor(at)}|${record.object}|${record.id}`;
        const key = this.keys.base(record.person);
        const replaced = await swapField(this.redis, key, ECHO_FIELD[record.system], marker);
        return { ...record, marker, replaced };
      }),
    );
  }

  /**
   * Takes back the notes of records that carry a change (they are synced anyway, and their notes
   * would cost a second sync). The note each replaced comes back: an earlier echo verdict of the
   * record may still be overtaken by a write in flight.
   */
  async withdrawEchoes(notes: readonly EchoNote[]): Promise<void> {
    await Promise.all(
      notes.map((note) =>
        replaceFieldIfSame(
          this.redis,
          this.keys.base(note.person),
          ECHO_FIELD[note.system],
          note.marker,
          note.replaced,
        ),
      ),
    );
  }

  async remove(person: string): Promise<void> {
    await this.redis.del(this.keys.base(person));
  }
}

function parseStored(stored: Record<string, string>): StoredBase {
  const names = Object.keys(stored).filter((name) => !name.startsWith('~'));
  const loggedStage = stored[LOGGED_STAGE];
  const loggedConflicts: Record<string, string> = {};
  for (const [name, key] of Object.entries(stored))
    if (name.startsWith(LOGGED_CONFLICT)) loggedConflicts[name.slice(LOGGED_CONFLICT.length)] = key;
  if (names.length === 0) return { base: null, loggedStage, loggedConflicts };
  const base: CanonicalFields = {};
  for (const name of names) base[name] = JSON.parse(stored[name]!) as CanonicalValue;
  return { base, loggedStage, loggedConflicts };
}
