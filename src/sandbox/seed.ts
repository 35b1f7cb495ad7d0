/**
 * Demo people for the sandbox, in different stages and situations: on both sides already, on one side
 * only (so Lockstep creates them on the other), engaged in HubSpot, and one whose industry Salesforce
 * will refuse (to show a dead letter that does not block anyone else).
 */
import type { HubSpotSimulator } from './hubspot/index.js';
import type { SalesforceSimulator } from './salesforce/index.js';

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Margaret',
  'Ken',
  'Radia',
  'John',
  'Frances',
  'Linus',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Hamilton',
  'Thompson',
  'Perlman',
  'Backus',
  'Allen',
  'Torvalds',
];
const COMPANIES = [
  'Analytical Engines',
  'Cobol Corp',
  'Enigma Ltd',
  'Shortest Path',
  'Substitution Inc',
  'TeX Works',
];
const HS_STAGES = ['subscriber', 'lead', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead'];
const SF_STAGES: Array<[string, string]> = [
  ['Lead', 'Open - Not Contacted'],
  ['MQL', 'Open - Not Contacted'],
  ['SQL', 'Working - Contacted'],
];

export interface SeededPeople {
  /** Emails of people seeded on both sides. */
  both: string[];
  hubspotOnly: string[];
  salesforceOnly: string[];
  /** The person whose industry has no Salesforce picklist value. */
  badIndustry: string;
}

export function seedPeople(
  hubspot: HubSpotSimulator,
  salesforce: SalesforceSimulator,
  count: number,
): SeededPeople {
  const seeded: SeededPeople = { both: [], hubspotOnly: [], salesforceOnly: [], badIndustry: '' };
  for (let i = 0; i < count; i += 1) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[(i * 5) % LAST.length]!;
    const email = `${first}.${last}${i}@example.com`.toLowerCase();
    const company = COMPANIES[i % COMPANIES.length]!;
    const kind = i % 3; // 0: both sides, 1: HubSpot only, 2: Salesforce only
    if (kind !== 2) {
      const id = hubspot.createContact({
        email,
        firstname: first,
        lastname: last,
        company,
        jobtitle: i % 4 === 0 ? 'VP Engineering' : 'Developer',
        lifecyclestage: HS_STAGES[i % HS_STAGES.length]!,
        numemployees: i % 2 === 0 ? '100-500' : '5-25',
        // REAL_ESTATE is a HubSpot option with no value_map entry and no Salesforce picklist value.
        industry: i === 4 ? 'REAL_ESTATE' : 'COMPUTER_SOFTWARE',
      });
      hubspot.setReadOnly(id, 'hubspotscore', String((i * 7) % 60));
      hubspot.setReadOnly(id, 'hs_analytics_num_page_views', String(i * 3));
      if (i % 2 === 0)
        hubspot.setReadOnly(
          id,
          'hs_email_last_open_date',
          new Date(Date.UTC(2026, 10, 1 + (i % 20))).toISOString(),
        );
      if (i === 4) seeded.badIndustry = email;
    }
    if (kind !== 1) {
      const [lifecycle, status] = SF_STAGES[i % SF_STAGES.length]!;
      salesforce.insert('Lead', {
        Email: email,
        FirstName: first,
        LastName: last,
        Company: company,
        Title: 'Developer',
        Status: status,
        Lifecycle_Stage__c: kind === 0 ? 'Lead' : lifecycle,
        NumberOfEmployees: i % 2 === 0 ? 250 : 10,
      });
    }
    (kind === 0 ? seeded.both : kind === 1 ? seeded.hubspotOnly : seeded.salesforceOnly).push(email);
  }
  return seeded;
}
