/**
 * The daily API reserve end to end: the Salesforce simulator reports an org close to its daily
 * allowance in Sforce-Limit-Info, the daemon stops calling Salesforce (HubSpot goes on), and the held
 * change lands once the allowance has room again.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../helpers/redis.js';
import { type SandboxDaemon, startSandboxDaemon } from '../helpers/sandbox-daemon.js';
import { waitFor } from '../helpers/wait.js';

/** Short here; 15 minutes by default. */
const RESERVE_PAUSE_MS = 3_000;

let sandbox: SandboxDaemon;

beforeAll(async () => {
  sandbox = await startSandboxDaemon({ dailyReservePauseMs: RESERVE_PAUSE_MS });
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('daily API reserve', () => {
  it('holds Salesforce calls once the org is into the reserve, keeps HubSpot going, and loses no change', async () => {
    const { hubspot, salesforce } = sandbox.sims;
    const email = `reserve-${randomUUID().slice(0, 8)}@example.com`;
    const contactId = hubspot.createContact({
      email,
      firstname: 'Res',
      lastname: 'Erve',
      lifecyclestage: 'lead',
    });
    const leadId = salesforce.insert('Lead', {
      Email: email,
      LastName: 'Erve',
      Company: 'Acme',
      Status: 'Open - Not Contacted',
      Lifecycle_Stage__c: 'Lead',
    });
    await waitFor(
      'the pair to be linked',
      () => salesforce.get('Lead', leadId)?.HubSpot_Contact_Id__c === contactId,
    );
    await sandbox.settle();

    // 95,000 of 100,000 used: into the default 10% reserve from the next answer on.
    salesforce.setApiUsage(95_000, 100_000);
    await sleep(500);
    const heldAt = salesforce.calls().total;
    const hubspotBefore = hubspot.calls().total;
    hubspot.updateContact(contactId, { lifecyclestage: 'marketingqualifiedlead' });
    await sleep(1_500);
    expect(salesforce.calls().total).toBe(heldAt);
    expect(salesforce.get('Lead', leadId)?.Lifecycle_Stage__c).toBe('Lead');
    expect(hubspot.calls().total).toBeGreaterThan(hubspotBefore);

    // The allowance frees up: when the pause runs out, one call looks again and the change lands.
    salesforce.setApiUsage(1_000, 100_000);
    await waitFor(
      'the held stage change to reach Salesforce',
      () => salesforce.get('Lead', leadId)?.Lifecycle_Stage__c === 'MQL',
      20_000,
    );
  });
});
