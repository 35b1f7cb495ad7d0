/**
 * An echo verdict made while a write is in flight: the poller compares a record with the base, but a
 * write planned earlier can still move that base when it lands. A person who reverts a field during
 * that window must not lose the revert.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MappingConfig } from '../../src/mapping/compile.js';
import { loadMappings } from '../../src/mapping/load.js';
import { enqueueChanges, type PollTarget, pollOnce } from '../../src/pipeline/capture.js';
import { echoFilter } from '../../src/pipeline/echo-filter.js';
import { startSyncWorker } from '../../src/pipeline/sync-worker.js';
import { CursorStore } from '../../src/state/cursor-store.js';
import { planSync } from '../../src/sync/plan.js';
import { hubspotReadFields } from '../../src/sync/read-fields.js';
import { defaultMappingsDir } from '../helpers/mapping.js';
import { buildPipeline, startTestWriter, type TestPipeline } from '../helpers/pipeline.js';
import { RedisScope, waitFor } from '../helpers/redis.js';
import { hubspotSide, salesforceSide } from '../helpers/sides.js';

let mapping: MappingConfig;
let scope: RedisScope;
let pipeline: TestPipeline;

beforeAll(async () => {
  mapping = await loadMappings(defaultMappingsDir);
});

beforeEach(() => {
  scope = new RedisScope();
  pipeline = buildPipeline(scope, mapping);
});

afterEach(async () => {
  await scope.cleanup();
});

const HS_ID = '51';
const LEAD_ID = '00Q000000000001AAA';
const lead = (title: string) => ({
  Email: 'ada@example.com',
  LastName: 'Lovelace',
  Company: 'Analytical Engines',
  Title: title,
  Lifecycle_Stage__c: 'Lead',
  Status: 'Open - Not Contacted',
  HubSpot_Contact_Id__c: HS_ID,
  IsConverted: false,
});
const contact = (title: string) => ({
  email: 'ada@example.com',
  lastname: 'Lovelace',
  company: 'Analytical Engines',
  jobtitle: title,
  lifecyclestage: 'lead',
  salesforce_lead_id: LEAD_ID,
});

/** A linked pair on both sides with `title`, and the base a first sync of it would leave. */
async function seedAgreedPair(title: string): Promise<void> {
  const { ctx, hubspot, salesforce } = pipeline;
  salesforce.put('Lead', LEAD_ID, lead(title));
  hubspot.put('contacts', HS_ID, contact(title));
  await ctx.crosswalk.link(HS_ID, { object: 'Lead', id: LEAD_ID });
  const settled = planSync({
    mapping,
    hubspot: hubspotSide(contact(title)),
    salesforce: salesforceSide(lead(title)),
    base: null,
  }).settled;
  await ctx.bases.merge(HS_ID, settled);
}

describe('an echo judged against a base that a landing write then moves', () => {
  it('syncs a HubSpot revert made while the first value was still being written to Salesforce', async () => {
    const { ctx, hubspot, salesforce } = pipeline;
    await seedAgreedPair('CTO');

    // The marketer sets CEO; the sync plans the Salesforce write, which waits in its queue.
    hubspot.put('contacts', HS_ID, contact('CEO'));
    scope.track(
      startSyncWorker(ctx, { connection: pipeline.workerConnection, prefix: scope.prefix, concurrency: 5 }),
    );
    await enqueueChanges(ctx.queues, [{ system: 'hubspot', object: 'contacts', id: HS_ID }]);
    await waitFor(
      'the Salesforce write to be queued',
      async () => (await ctx.queues.writes.salesforce.getWaitingCount()) === 1,
    );

    // ...and reverts to CTO before it lands: the poller finds the contact equal to the base (CTO).
    hubspot.put('contacts', HS_ID, contact('CTO'));
    const target: PollTarget = {
      connector: hubspot,
      object: 'contacts',
      fields: hubspotReadFields(mapping),
      pageSize: 200,
    };
    const polled = await pollOnce(target, {
      queues: ctx.queues,
      cursors: new CursorStore(pipeline.redis, scope.keys),
      locks: ctx.locks,
      logger: ctx.logger,
      needsSync: echoFilter(ctx),
    });
    expect(polled).toBe(0);

    // The CEO write lands and moves the base: the echo verdict is overtaken, the contact synced again.
    startTestWriter(scope, pipeline, { ctx, maxWaitMs: 5 });
    const titleWrites = async () =>
      (await ctx.ledger.read(100)).filter((e) => e.kind === 'write' && e.field === 'Title').map((e) => e.to);
    await waitFor(
      'the CEO write and then the revert to land',
      async () => (await titleWrites()).length === 2,
      {
        timeoutMs: 8_000,
      },
    );
    expect(await titleWrites()).toEqual(['CEO', 'CTO']);
    expect(salesforce.get('Lead', LEAD_ID)?.fields.Title).toBe('CTO');
    expect(hubspot.get('contacts', HS_ID)?.fields.jobtitle).toBe('CTO');
    expect((await ctx.bases.get(HS_ID))?.title).toBe('CTO');
  });

  it('hands the record back even when the write lands right after the poller read the base', async () => {
    const { ctx, hubspot } = pipeline;
    await seedAgreedPair('CTO');

    let overtaken: unknown[] = [];
    const bases = Object.create(ctx.bases) as typeof ctx.bases;
    bases.getMany = async (persons) => {
      const read = await ctx.bases.getMany(persons);
      // The CEO write (planned before this poll) lands between the read and the verdict.
      overtaken = await ctx.bases.mergeWritten(HS_ID, { title: 'CEO' }, 0);
      return read;
    };
    const changed = await echoFilter({ ...ctx, bases })([hubspot.get('contacts', HS_ID)!]);

    expect(changed).toEqual([]); // judged against the base it read: an echo
    expect(overtaken).toEqual([
      expect.objectContaining({ system: 'hubspot', object: 'contacts', id: HS_ID }),
    ]);
  });
});
