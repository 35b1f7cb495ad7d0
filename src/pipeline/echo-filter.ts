/**
 * The poller's echo check: of the records a poll read, keep those that may carry something to sync.
 * A linked record that holds exactly its person's base is Lockstep's own write coming back, or an
 * edit to unmapped fields; queueing it would cost a sync that reads both systems to do nothing.
 * Two Redis round trips per page (crosswalk, bases); no API calls.
 */
import type { SourceRecord } from '../connector/types.js';
import type { MappingConfig } from '../mapping/compile.js';
import type { BaseStore } from '../state/base-store.js';
import type { Crosswalk } from '../state/crosswalk.js';
import { holdsBase, type Partner } from '../sync/echo.js';
import type { Side } from '../sync/side.js';
import { asSalesforceObject } from './resolve-pair.js';

export interface EchoFilterDeps {
  mapping: MappingConfig;
  crosswalk: Crosswalk;
  bases: BaseStore;
}

/** Returns the records that need a sync, in their original order. */
export type EchoFilter = (records: SourceRecord[]) => Promise<SourceRecord[]>;

export function echoFilter(deps: EchoFilterDeps): EchoFilter {
  return async (records) => {
    if (records.length === 0) return records;
    const partners = await partnersOf(deps.crosswalk, records);
    const linked = records.flatMap((record) => {
      const partner = partners.get(record.id);
      return partner ? [{ record, side: sideOf(record), partner }] : [];
    });
    // Noted before the bases are read: a write in flight that moves a base after this read finds
    // the note and hands the record back for a sync (BaseStore.mergeWritten).
    const notes = await deps.bases.noteEchoes(
      linked.map(({ record, side, partner }) => ({
        system: side.system,
        object: record.object,
        id: record.id,
        person: partner.person,
      })),
      Date.now(),
    );
    const bases = await deps.bases.getMany([...new Set(linked.map((l) => l.partner.person))]);
    const carriesChange = new Set(
      linked
        .filter(
          ({ side, partner }) => !holdsBase(deps.mapping, side, bases.get(partner.person) ?? null, partner),
        )
        .map((l) => l.record),
    );
    // Records that carry a change are synced anyway: their notes would only cost a second sync.
    await deps.bases.withdrawEchoes(notes.filter((_, i) => carriesChange.has(linked[i]!.record)));
    return records.filter((record) => !partners.has(record.id) || carriesChange.has(record));
  };
}

interface LinkedPartner extends Partner {
  /** The person key: the HubSpot contact id. */
  person: string;
}

async function partnersOf(
  crosswalk: Crosswalk,
  records: SourceRecord[],
): Promise<Map<string, LinkedPartner>> {
  const out = new Map<string, LinkedPartner>();
  const hubspotIds = records.filter((r) => r.object === 'contacts').map((r) => r.id);
  const salesforceIds = records.filter((r) => r.object !== 'contacts').map((r) => r.id);
  const [bySalesforce, byHubSpot] = await Promise.all([
    crosswalk.hubSpotIdsLinked(hubspotIds),
    crosswalk.hubSpotOfSalesforceMany(salesforceIds),
  ]);
  for (const [hubspotId, ref] of bySalesforce) out.set(hubspotId, { ...ref, person: hubspotId });
  for (const [salesforceId, hubspotId] of byHubSpot)
    out.set(salesforceId, { object: 'contacts', id: hubspotId, person: hubspotId });
  return out;
}

function sideOf(record: SourceRecord): Side {
  return record.object === 'contacts'
    ? {
        system: 'hubspot',
        object: 'contacts',
        id: record.id,
        modifiedAt: record.modifiedAt,
        raw: record.fields,
      }
    : {
        system: 'salesforce',
        object: asSalesforceObject(record.object),
        id: record.id,
        modifiedAt: record.modifiedAt,
        raw: record.fields,
      };
}
