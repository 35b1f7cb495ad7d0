/**
 * The base snapshot per linked person: the canonical values both sides last agreed on. One Redis hash
 * per person, one field per canonical field, so a write that lands on one side updates only the fields
 * it really wrote. Bookkeeping fields beside them start with `~` (canonical names are lowercase words).
 */
import type { Redis } from 'ioredis';
import type { CanonicalFields, CanonicalValue } from '../mapping/values.js';
import type { Keyspace } from './keyspace.js';
import { RedisScript } from './script.js';

/** The stage the ledger logged last. */
const LOGGED_STAGE = '~logged-stage';
/** The last record per system that the poller dropped as holding this base: `<ms>|<object>|<id>`. */
const ECHO_FIELD = { hubspot: '~echo:hubspot', salesforce: '~echo:salesforce' } as const;

export interface EchoedRecord {
  system: 'hubspot' | 'salesforce';
  object: string;
  id: string;
}

/** An echo verdict handed back by `mergeWritten`, with the marker to clear once it is queued. */
export interface OvertakenEcho extends EchoedRecord {
  marker: string;
}

const CLEAR_IF_SAME = new RedisScript(
  `for i = 1, #ARGV, 2 do if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', KEYS[1], ARGV[i]) end end return 0`,
);

/**
 * Merges a landed write's values; when that changes the base, hands back the records judged echoes
 * of the old base since ARGV[1] (ms): their verdict no longer holds. The markers stay until the
 * caller has queued those records (`clearEchoes`), so a crash in between cannot lose them.
 */
const MERGE_WRITTEN = new RedisScript(`
local changed = false
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) ~= ARGV[i + 1] then changed = true end
end
if #ARGV >= 3 then redis.call('HSET', KEYS[1], unpack(ARGV, 2)) end
local stale = {}
if changed then
  for _, field in ipairs({'${ECHO_FIELD.hubspot}', '${ECHO_FIELD.salesforce}'}) do
    local marker = redis.call('HGET', KEYS[1], field)
    if marker then
      local at = tonumber(string.match(marker, '^(%d+)|'))
      if at and at >= tonumber(ARGV[1]) then
        table.insert(stale, field)
        table.insert(stale, marker)
      end
    end
  end
end
return stale`);

export class BaseStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  async get(person: string): Promise<CanonicalFields | null> {
    return (await this.read(person)).base;
  }

  /** The base and the stage the ledger last logged, in one round trip. */
  async read(person: string): Promise<{ base: CanonicalFields | null; loggedStage: string | undefined }> {
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
   * Merges canonical values into the base; `loggedStage` records the stage the ledger logged last, so
   * a transition still being written is logged once. One HSET.
   */
  async merge(person: string, values: CanonicalFields, loggedStage?: string): Promise<void> {
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) fields[name] = JSON.stringify(value);
    if (loggedStage !== undefined) fields[LOGGED_STAGE] = loggedStage;
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
      const system = reply[i] === ECHO_FIELD.hubspot ? 'hubspot' : 'salesforce';
      const marker = reply[i + 1]!;
      const [, object, id] = marker.split('|');
      if (object && id) stale.push({ system, object, id, marker });
    }
    return stale;
  }

  /** Forgets handed-back echo markers, unless a newer verdict replaced one meanwhile. */
  async clearEchoes(person: string, echoes: readonly OvertakenEcho[]): Promise<void> {
    if (echoes.length === 0) return;
    const args = echoes.flatMap((echo) => [ECHO_FIELD[echo.system], echo.marker]);
    await CLEAR_IF_SAME.run(this.redis, [this.keys.base(person)], args);
  }

  /**
   * Notes that the poller is judging these records against their person's base (see
   * `mergeWritten`). Noted before the base is read, so a write landing in between still finds it.
   */
  async noteEchoes(echoes: Array<EchoedRecord & { person: string }>, at: number): Promise<void> {
    await Promise.all(
      echoes.map((echo) =>
        this.redis.hset(
          this.keys.base(echo.person),
          ECHO_FIELD[echo.system],
          `${Math.floor(at)}|${echo.object}|${echo.id}`,
        ),
      ),
    );
  }

  /** Withdraws notes for records that turned out to carry a change (they are synced anyway). */
  async withdrawEchoes(records: Array<EchoedRecord & { person: string }>): Promise<void> {
    await Promise.all(records.map((r) => this.redis.hdel(this.keys.base(r.person), ECHO_FIELD[r.system])));
  }

  async remove(person: string): Promise<void> {
    await this.redis.del(this.keys.base(person));
  }
}

function parseStored(stored: Record<string, string>): {
  base: CanonicalFields | null;
  loggedStage: string | undefined;
} {
  const names = Object.keys(stored).filter((name) => !name.startsWith('~'));
  const loggedStage = stored[LOGGED_STAGE];
  if (names.length === 0) return { base: null, loggedStage };
  const base: CanonicalFields = {};
  for (const name of names) base[name] = JSON.parse(stored[name]!) as CanonicalValue;
  return { base, loggedStage };
}
