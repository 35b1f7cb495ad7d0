import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BaseStore } from '../../src/state/base-store.js';
import { Crosswalk } from '../../src/state/crosswalk.js';
import { CursorStore } from '../../src/state/cursor-store.js';
import { Ledger } from '../../src/state/ledger.js';
import { Locks } from '../../src/state/lock.js';
import { removeKeyspace } from '../../src/state/redis.js';
import { RedisScript } from '../../src/state/script.js';
import { RedisScope, waitFor } from '../helpers/redis.js';

let scope: RedisScope;
let redis: Redis;

beforeEach(() => {
  scope = new RedisScope();
  redis = scope.connect();
});

afterEach(async () => {
  await scope.cleanup();
});

describe('Crosswalk', () => {
  it('links a HubSpot contact and a Salesforce record both ways', async () => {
    const crosswalk = new Crosswalk(redis, scope.keys);
    await crosswalk.link('51', { object: 'Lead', id: '00Q000000000001AAA' });

    expect(await crosswalk.bySalesforceOfHubSpot('51')).toEqual({ object: 'Lead', id: '00Q000000000001AAA' });
    expect(await crosswalk.hubSpotOfSalesforce('00Q000000000001AAA')).toBe('51');
    expect(await crosswalk.bySalesforceOfHubSpot('52')).toBeUndefined();
    expect(await crosswalk.hubSpotOfSalesforce('00Q000000000009AAA')).toBeUndefined();
    expect(await crosswalk.size()).toBe(1);
  });

  it('relinking a HubSpot id to a new Salesforce id removes the old reverse entry', async () => {
    const crosswalk = new Crosswalk(redis, scope.keys);
    await crosswalk.link('51', { object: 'Lead', id: '00Q000000000001AAA' });
    // Lead conversion: the person now lives on as a Contact.
    await crosswalk.link('51', { object: 'Contact', id: '003000000000001AAA' });

    expect(await crosswalk.bySalesforceOfHubSpot('51')).toEqual({
      object: 'Contact',
      id: '003000000000001AAA',
    });
    expect(await crosswalk.hubSpotOfSalesforce('003000000000001AAA')).toBe('51');
    expect(await crosswalk.hubSpotOfSalesforce('00Q000000000001AAA')).toBeUndefined();
    expect(await redis.hlen(scope.keys.crosswalkSalesforce)).toBe(1);
    expect(await crosswalk.size()).toBe(1);
  });

  it('relinking a Salesforce id to a new HubSpot id removes the old forward entry', async () => {
    const crosswalk = new Crosswalk(redis, scope.keys);
    await crosswalk.link('51', { object: 'Lead', id: '00Q000000000001AAA' });
    // The HubSpot duplicate 51 was merged into 60, which now owns the Lead.
    await crosswalk.link('60', { object: 'Lead', id: '00Q000000000001AAA' });

    expect(await crosswalk.hubSpotOfSalesforce('00Q000000000001AAA')).toBe('60');
    expect(await crosswalk.bySalesforceOfHubSpot('60')).toEqual({ object: 'Lead', id: '00Q000000000001AAA' });
    expect(await crosswalk.bySalesforceOfHubSpot('51')).toBeUndefined();
    // Unlinking the stale id must not break the live pair.
    await crosswalk.unlink('51');
    expect(await crosswalk.hubSpotOfSalesforce('00Q000000000001AAA')).toBe('60');
  });

  it('unlink removes both directions and leaves other links alone', async () => {
    const crosswalk = new Crosswalk(redis, scope.keys);
    await crosswalk.link('51', { object: 'Lead', id: '00Q000000000001AAA' });
    await crosswalk.link('52', { object: 'Contact', id: '003000000000002AAA' });
    await crosswalk.unlink('51');

    expect(await crosswalk.bySalesforceOfHubSpot('51')).toBeUndefined();
    expect(await crosswalk.hubSpotOfSalesforce('00Q000000000001AAA')).toBeUndefined();
    expect(await crosswalk.hubSpotOfSalesforce('003000000000002AAA')).toBe('52');
    expect(await crosswalk.size()).toBe(1);
    // Unlinking an unknown id is a no-op.
    await crosswalk.unlink('999');
    expect(await crosswalk.size()).toBe(1);
  });

  it('answers many ids in one call with only the linked ones', async () => {
    const crosswalk = new Crosswalk(redis, scope.keys);
    await crosswalk.link('51', { object: 'Lead', id: '00Q000000000001AAA' });
    await crosswalk.link('52', { object: 'Contact', id: '003000000000002AAA' });

    const bySalesforce = await crosswalk.hubSpotOfSalesforceMany([
      '00Q000000000001AAA',
      '00Q000000000009AAA',
      '003000000000002AAA',
    ]);
    expect([...bySalesforce.entries()]).toEqual([
      ['00Q000000000001AAA', '51'],
      ['003000000000002AAA', '52'],
    ]);
    const byHubSpot = await crosswalk.hubSpotIdsLinked(['52', '77', '51']);
    expect([...byHubSpot.entries()]).toEqual([
      ['52', { object: 'Contact', id: '003000000000002AAA' }],
      ['51', { object: 'Lead', id: '00Q000000000001AAA' }],
    ]);
    expect((await crosswalk.hubSpotOfSalesforceMany([])).size).toBe(0);
    expect((await crosswalk.hubSpotIdsLinked([])).size).toBe(0);
  });
});

describe('BaseStore', () => {
  it('returns null for a person it has never seen', async () => {
    expect(await new BaseStore(redis, scope.keys).get('404')).toBeNull();
  });

  it('round-trips null, numbers, strings and booleans through JSON', async () => {
    const bases = new BaseStore(redis, scope.keys);
    const snapshot = {
      phone: null,
      employees: 120,
      score: 0,
      email: 'ada@example.com',
      optedOut: false,
      vip: true,
    };
    await bases.merge('51', snapshot);
    expect(await bases.get('51')).toStrictEqual(snapshot);
    // A string that looks like a number stays a string.
    await bases.merge('52', { zip: '02139' });
    expect(await bases.get('52')).toStrictEqual({ zip: '02139' });
  });

  it('merges per field: a partial write keeps the fields it does not name', async () => {
    const bases = new BaseStore(redis, scope.keys);
    await bases.merge('51', { email: 'ada@example.com', stage: 'lead', firstname: 'Ada' });
    await bases.merge('51', { stage: 'mql' });
    await bases.merge('51', {});
    expect(await bases.get('51')).toStrictEqual({ email: 'ada@example.com', stage: 'mql', firstname: 'Ada' });
    // People are independent.
    expect(await bases.get('52')).toBeNull();
    await bases.remove('51');
    expect(await bases.get('51')).toBeNull();
  });

  it('hands back echoes noted since a write was planned, and only when the write moves the base', async () => {
    const bases = new BaseStore(redis, scope.keys);
    await bases.merge('51', { title: 'CTO', stage: 'lead' });
    await bases.noteEchoes([{ person: '51', system: 'hubspot', object: 'contacts', id: '51' }], 5_000);
    await bases.noteEchoes([{ person: '51', system: 'salesforce', object: 'Lead', id: '00Q1' }], 1_000);
    // Markers are bookkeeping, never canonical values.
    expect(await bases.get('51')).toStrictEqual({ title: 'CTO', stage: 'lead' });

    // A write that lands values the base already holds changes nothing: the verdicts stand.
    expect(await bases.mergeWritten('51', { title: 'CTO' }, 2_000)).toEqual([]);
    // One that moves the base overtakes the echo noted after its plan (5 000 ≥ 2 000), not the older one.
    const overtaken = await bases.mergeWritten('51', { title: 'CEO' }, 2_000);
    expect(overtaken).toEqual([
      { system: 'hubspot', object: 'contacts', id: '51', marker: '5000|contacts|51' },
    ]);
    expect(await bases.get('51')).toStrictEqual({ title: 'CEO', stage: 'lead' });
    // The marker stays until the record is queued, so a crash in between cannot lose it...
    expect(await bases.mergeWritten('51', { title: 'CFO' }, 2_000)).toHaveLength(1);
    // ...and once cleared it is not handed back again; a newer verdict is not cleared by an older one.
    await bases.noteEchoes([{ person: '51', system: 'salesforce', object: 'Lead', id: '00Q1' }], 6_000);
    await bases.clearEchoes('51', overtaken);
    await bases.clearEchoes('51', [
      { system: 'salesforce', object: 'Lead', id: '00Q1', marker: '1000|Lead|00Q1' },
    ]);
    expect(await bases.mergeWritten('51', { title: 'COO' }, 2_000)).toEqual([
      { system: 'salesforce', object: 'Lead', id: '00Q1', marker: '6000|Lead|00Q1' },
    ]);
  });
});

describe('BaseStore echo notes', () => {
  it('hands overtaken verdicts back on every landing until they are cleared (a crash in between loses none)', async () => {
    const bases = new BaseStore(redis, scope.keys);
    await bases.merge('51', { title: 'CTO' });
    await bases.noteEchoes([{ person: '51', system: 'hubspot', object: 'contacts', id: '51' }], 5_000);
    const first = await bases.mergeWritten('51', { title: 'CEO' }, 2_000);
    expect(first).toHaveLength(1);
    // The process died before queueing the record: the retried write lands again, changing nothing.
    expect(await bases.mergeWritten('51', { title: 'CEO' }, 2_000)).toEqual(first);
    await bases.clearEchoes('51', first);
    expect(await bases.mergeWritten('51', { title: 'CEO' }, 2_000)).toEqual([]);
  });

  it('withdrawing a note brings back the echo verdict it replaced', async () => {
    const bases = new BaseStore(redis, scope.keys);
    await bases.merge('51', { email: 'x@example.com' });
    const contact = { person: '51', system: 'hubspot' as const, object: 'contacts', id: '51' };
    // An echo verdict (a revert), then a later read of the same contact that carries a change.
    await bases.noteEchoes([contact], 5_000);
    const [later] = await bases.noteEchoes([contact], 6_000);
    expect(later?.replaced).toBe('5000|contacts|51');
    await bases.withdrawEchoes([later!]);
    // A write planned before the revert lands: the revert's verdict is handed back.
    expect(await bases.mergeWritten('51', { email: 'y@example.com' }, 4_000)).toEqual([
      { system: 'hubspot', object: 'contacts', id: '51', marker: '5000|contacts|51' },
    ]);
  });
});

describe('CursorStore', () => {
  it('round-trips a compound cursor per system and object', async () => {
    const cursors = new CursorStore(redis, scope.keys);
    expect(await cursors.get('salesforce', 'Lead')).toBeNull();
    await cursors.set('salesforce', 'Lead', { modifiedAt: '2024-05-01T10:00:00.000Z', id: '00Q1' });
    await cursors.set('salesforce', 'Contact', { modifiedAt: '2024-05-02T10:00:00.000Z', id: '0031' });
    expect(await cursors.get('salesforce', 'Lead')).toEqual({
      modifiedAt: '2024-05-01T10:00:00.000Z',
      id: '00Q1',
    });
    expect(await cursors.get('salesforce', 'Contact')).toEqual({
      modifiedAt: '2024-05-02T10:00:00.000Z',
      id: '0031',
    });
    expect(await cursors.get('hubspot', 'Lead')).toBeNull();
    await cursors.set('salesforce', 'Lead', { modifiedAt: '2024-05-03T00:00:00.000Z', id: '00Q2' });
    expect(await cursors.get('salesforce', 'Lead')).toEqual({
      modifiedAt: '2024-05-03T00:00:00.000Z',
      id: '00Q2',
    });
  });

  it('rejects a corrupted cursor instead of resuming from garbage', async () => {
    await redis.set(scope.keys.cursor('hubspot', 'contacts'), JSON.stringify({ modifiedAt: 5 }));
    await expect(new CursorStore(redis, scope.keys).get('hubspot', 'contacts')).rejects.toThrow();
  });
});

describe('Ledger', () => {
  it('reads entries back in append order with their fields and time', async () => {
    const now = Date.parse('2024-05-01T12:00:00.000Z');
    const ledger = new Ledger(redis, scope.keys, () => now);
    await ledger.append([
      { kind: 'stage', person: '51', field: 'stage', from: 'lead', to: 'mql', origin: 'hubspot' },
      {
        kind: 'write',
        person: '51',
        system: 'salesforce',
        object: 'Lead',
        recordId: '00Q1',
        field: 'Lifecycle_Stage__c',
        from: 'Lead',
        to: 'MQL',
        origin: 'hubspot',
      },
    ]);
    await ledger.append([]);
    await ledger.append([{ kind: 'link', person: '52', origin: 'email' }]);

    const entries = await ledger.read();
    expect(entries.map((e) => e.kind)).toEqual(['stage', 'write', 'link']);
    expect(entries[0]).toMatchObject({
      person: '51',
      from: 'lead',
      to: 'mql',
      at: '2024-05-01T12:00:00.000Z',
    });
    expect(entries[1]).toMatchObject({
      system: 'salesforce',
      object: 'Lead',
      recordId: '00Q1',
      field: 'Lifecycle_Stage__c',
      from: 'Lead',
      to: 'MQL',
      origin: 'hubspot',
    });
    expect(entries[2]).toMatchObject({ kind: 'link', person: '52', origin: 'email' });
    const ids = entries.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => compareStreamIds(a, b)));
    expect(await ledger.length()).toBe(3);
    expect(await ledger.read(2)).toHaveLength(2);
  });
});

describe('RedisScript', () => {
  it('runs a script Redis has not seen (NOSCRIPT → EVAL), then by its SHA alone', async () => {
    // A script text no other test sends, so Redis cannot have it cached yet.
    const marker = `${scope.prefix}-${Math.random()}`;
    const script = new RedisScript(`-- ${marker}\nreturn redis.call('incr', KEYS[1]) + tonumber(ARGV[1])`);
    const key = scope.keys.lock('script-test');
    const sha = createHash('sha1')
      .update(`-- ${marker}\nreturn redis.call('incr', KEYS[1]) + tonumber(ARGV[1])`)
      .digest('hex');
    expect(await redis.script('EXISTS', sha)).toEqual([0]);

    expect(await script.run(redis, [key], [10])).toBe(11);
    expect(await redis.script('EXISTS', sha)).toEqual([1]);
    expect(await script.run(redis, [key], [10])).toBe(12);
  });

  it('passes script errors through instead of retrying them as EVAL', async () => {
    // The script counts its runs before failing: a retry as EVAL would count twice.
    const script = new RedisScript(
      `redis.call('incr', KEYS[1]) return redis.error_reply('BROKEN ${scope.prefix}')`,
    );
    const key = scope.keys.lock('script-error-test');
    await expect(script.run(redis, [key], [])).rejects.toThrow(/BROKEN/); // first run: NOSCRIPT, then EVAL
    expect(await redis.get(key)).toBe('1');
    await expect(script.run(redis, [key], [])).rejects.toThrow(/BROKEN/); // now by SHA
    expect(await redis.get(key)).toBe('2');
  });
});

describe('Locks', () => {
  it('a second acquire fails until the holder releases', async () => {
    const locks = new Locks(redis, scope.keys);
    const other = new Locks(scope.connect('other-process'), scope.keys);
    const token = await locks.tryAcquire('person:51', 10_000);
    expect(token).toBeTypeOf('string');
    expect(await other.tryAcquire('person:51', 10_000)).toBeUndefined();
    // Other names are free.
    expect(await other.tryAcquire('person:52', 10_000)).toBeTypeOf('string');
    await locks.release('person:51', token!);
    expect(await other.tryAcquire('person:51', 10_000)).toBeTypeOf('string');
  });

  it('a release with the wrong token leaves the lock held', async () => {
    const locks = new Locks(redis, scope.keys);
    const token = await locks.tryAcquire('poller:hubspot:contacts', 10_000);
    expect(token).toBeDefined();
    await locks.release('poller:hubspot:contacts', 'not-the-owner');
    expect(await locks.tryAcquire('poller:hubspot:contacts', 10_000)).toBeUndefined();
    expect(await redis.get(scope.keys.lock('poller:hubspot:contacts'))).toBe(token);
  });

  it('expires after its TTL so a crashed holder does not block forever', async () => {
    const locks = new Locks(redis, scope.keys);
    const started = Date.now();
    expect(await locks.tryAcquire('person:51', 150)).toBeDefined();
    expect(await locks.tryAcquire('person:51', 150)).toBeUndefined();
    const token = await waitFor('the lock to expire', () => locks.tryAcquire('person:51', 10_000), {
      timeoutMs: 2_000,
      intervalMs: 10,
    });
    expect(token).toBeTypeOf('string');
    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
  });
});

function compareStreamIds(a: string, b: string): number {
  const [ams, aseq] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bms, bseq] = b.split('-').map(BigInt) as [bigint, bigint];
  if (ams !== bms) return ams < bms ? -1 : 1;
  return aseq < bseq ? -1 : aseq > bseq ? 1 : 0;
}

describe('removeKeyspace', () => {
  it('deletes every key under the prefix and nothing beside it', async () => {
    const neighbour = `${scope.prefix}-neighbour`;
    for (let i = 0; i < 1_200; i += 1) await redis.set(`${scope.prefix}:k${i}`, '1');
    await redis.set(`${neighbour}:kept`, '1');
    try {
      expect(await removeKeyspace(redis, scope.prefix)).toBe(1_200);
      expect(await redis.exists(`${scope.prefix}:k0`, `${scope.prefix}:k1199`)).toBe(0);
      expect(await redis.get(`${neighbour}:kept`)).toBe('1');
    } finally {
      await redis.del(`${neighbour}:kept`);
    }
  });
});
