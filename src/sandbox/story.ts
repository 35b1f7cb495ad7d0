/**
 * The sandbox's scripted day: people in marketing and sales change records in the simulated CRMs,
 * and Lockstep's narration shows each change arriving on the other side.
 */
import type { LockstepQueues } from '../pipeline/queues.js';
import type { HubSpotSimulator } from './hubspot/index.js';
import { waitForIdle } from './idle.js';
import type { SalesforceSimulator } from './salesforce/index.js';
import type { SeededPeople } from './seed.js';

export interface StoryDeps {
  hubspot: HubSpotSimulator;
  salesforce: SalesforceSimulator;
  queues: LockstepQueues;
  people: SeededPeople;
  settleMs: number;
  say: (line: string) => void;
}

export async function playStory(deps: StoryDeps): Promise<void> {
  const { hubspot, salesforce, people, say } = deps;
  const contactOf = (email: string) => hubspot.allContacts().find((c) => c.properties.email === email)!;
  const leadOf = (email: string) =>
    salesforce.all('Lead').find((l) => String(l.Email).toLowerCase() === email)!;
  const settle = () => waitForIdle(deps.queues, deps.settleMs, 120_000);

  const below = (email: string, stages: string[]) =>
    stages.includes(String(contactOf(email).properties.lifecyclestage));
  const marketingPick = people.both.find((email) => below(email, ['subscriber', 'lead'])) ?? people.both[0]!;
  say(`\n[HubSpot] Marketing moves ${marketingPick} to MQL.`);
  hubspot.updateContact(contactOf(marketingPick).id, { lifecyclestage: 'marketingqualifiedlead' });
  await settle();

  const salesPick =
    people.both.find(
      (email) => email !== marketingPick && below(email, ['subscriber', 'lead', 'marketingqualifiedlead']),
    ) ?? people.both[0]!;
  say(`\n[Salesforce] A sales rep sets ${salesPick}'s lead to "Working - Contacted".`);
  salesforce.update('Lead', String(leadOf(salesPick).Id), { Status: 'Working - Contacted' });
  await settle();

  const conflictPick = people.both.at(-1)!;
  say(
    `\n[both] Sales and marketing both edit ${conflictPick}'s job title before Lockstep syncs; the newest edit wins.`,
  );
  salesforce.update('Lead', String(leadOf(conflictPick).Id), { Title: 'Chief Architect' });
  hubspot.updateContact(contactOf(conflictPick).id, { jobtitle: 'Head of Platform' });
  await settle();

  const engagedPick =
    [...people.both, ...people.hubspotOnly].find(
      (email) =>
        email !== people.badIndustry &&
        contactOf(email).properties.numemployees === '100-500' &&
        below(email, ['subscriber', 'lead']),
    ) ?? people.both[0]!;
  say(
    `\n[HubSpot] ${engagedPick} opens emails and visits pages: score reaches 65 (the MQL rule is score ≥ 50 and employees ≥ 50).`,
  );
  hubspot.setReadOnly(contactOf(engagedPick).id, 'hubspotscore', '65');
  await settle();

  const disqualifyPick = people.salesforceOnly[0] ?? people.both[0]!;
  say(`\n[Salesforce] A rep disqualifies ${disqualifyPick} ("Closed - Not Converted").`);
  salesforce.update('Lead', String(leadOf(disqualifyPick).Id), { Status: 'Closed - Not Converted' });
  await settle();
}
