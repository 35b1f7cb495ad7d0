/**
 * End to end through the sandbox simulators: the real connectors over loopback HTTP, the real daemon,
 * the real Redis. Each test seeds its own people (unique emails), so the order of tests does not matter.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeadLetters } from '../../src/pipeline/dead-letters.js';
import { POLL_MS, type SandboxDaemon, startSandboxDaemon } from '../helpers/sandbox-daemon.js';
import { waitFor } from '../helpers/wait.js';

let sandbox: SandboxDaemon;

beforeAll(async () => {
  sandbox = await startSandboxDaemon();
});

afterAll(async () => {
  await sandbox?.stop();
});

const uniqueEmail = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.com`;

/** A person present on both sides with the same email, linked by the first sync. */
async function linkedPerson(name: string, hubspotStage = 'lead') {
  const { hubspot, salesforce } = sandbox.sims;
  const email = uniqueEmail(name);
  const contactId = hubspot.createContact({
    email,
    firstname: name,
    lastname: 'Tester',
    lifecyclestage: hubspotStage,
    jobtitle: 'Engineer',
  });
  const leadId = salesforce.insert('Lead', {
    Email: email,
    FirstName: name,
    LastName: 'Tester',
    Company: 'Acme',
    Title: 'Engineer',
    Status: 'Open - Not Contacted',
    Lifecycle_Stage__c: 'Lead',
  });
  await waitFor(
    'the pair to be linked both ways',
    () => salesforce.get('Lead', leadId)?.HubSpot_Contact_Id__c === contactId,
  );
  await waitFor(
    'the HubSpot side to carry the lead id',
    () => hubspot.getContact(contactId)?.properties.salesforce_lead_id === leadId,
  );
  await sandbox.settle();
  return { email, contactId, leadId };
}

describe('two-way lifecycle sync through the simulators', () => {
  it('carries a HubSpot stage change to the Salesforce lead', async () => {
    const { contactId, leadId } = await linkedPerson('hs-to-sf');
    sandbox.sims.hubspot.updateContact(contactId, { lifecyclestage: 'marketingqualifiedlead' });
    await waitFor(
      'Lifecycle_Stage__c = MQL',
      () => sandbox.sims.salesforce.get('Lead', leadId)?.Lifecycle_Stage__c === 'MQL',
    );
    await sandbox.settle();
    expect(sandbox.sims.salesforce.get('Lead', leadId)?.Status).toBe('Open - Not Contacted');
    expect(sandbox.sims.hubspot.getContact(contactId)?.properties.lifecyclestage).toBe(
      'marketingqualifiedlead',
    );
  });

  it('carries a rep setting "Working - Contacted" to HubSpot as SQL', async () => {
    const { contactId, leadId } = await linkedPerson('sf-to-hs', 'marketingqualifiedlead');
    sandbox.sims.salesforce.update('Lead', leadId, { Status: 'Working - Contacted' });
    await waitFor(
      'HubSpot SQL',
      () => sandbox.sims.hubspot.getContact(contactId)?.properties.lifecyclestage === 'salesqualifiedlead',
    );
    await waitFor(
      'Lifecycle_Stage__c aligned to SQL',
      () => sandbox.sims.salesforce.get('Lead', leadId)?.Lifecycle_Stage__c === 'SQL',
    );
  });

  it('creates a new HubSpot-only person as a Salesforce Lead with defaults and link ids both ways', async () => {
    const { hubspot, salesforce } = sandbox.sims;
    const email = uniqueEmail('hs-only');
    const contactId = hubspot.createContact({
      email,
      firstname: 'Only',
      lifecyclestage: 'marketingqualifiedlead',
    });
    const lead = await waitFor('a Lead created in Salesforce', () =>
      salesforce.all('Lead').find((l) => l.Email === email),
    );
    expect(lead).toMatchObject({
      LastName: '[not provided]',
      Company: '[not provided]',
      Lifecycle_Stage__c: 'MQL',
      HubSpot_Contact_Id__c: contactId,
    });
    await waitFor(
      'the lead id written back to HubSpot',
      () => hubspot.getContact(contactId)?.properties.salesforce_lead_id === lead.Id,
    );
  });

  it('creates a new Salesforce-only lead as a HubSpot contact', async () => {
    const { hubspot, salesforce } = sandbox.sims;
    const email = uniqueEmail('sf-only');
    const leadId = salesforce.insert('Lead', {
      Email: email,
      LastName: 'Solo',
      Company: 'Acme',
      Status: 'Working - Contacted',
    });
    const contact = await waitFor('a HubSpot contact created', () =>
      hubspot.allContacts().find((c) => c.properties.email === email),
    );
    expect(contact.properties).toMatchObject({
      lastname: 'Solo',
      company: 'Acme',
      lifecyclestage: 'salesqualifiedlead',
      salesforce_lead_id: leadId,
    });
    await waitFor(
      'the HubSpot id written back to Salesforce',
      () => salesforce.get('Lead', leadId)?.HubSpot_Contact_Id__c === contact.id,
    );
  });

  it('settles a both-sides conflict by the field rule (newest wins) and logs it', async () => {
    const { contactId, leadId } = await linkedPerson('conflict');
    const { hubspot, salesforce } = sandbox.sims;
    // Both edits in one event-loop turn: the in-process simulators cannot answer a read between them.
    salesforce.update('Lead', leadId, { Title: 'Chief Architect' });
    hubspot.updateContact(contactId, { jobtitle: 'Head of Platform' });
    await waitFor('both sides to agree', () => {
      const sf = salesforce.get('Lead', leadId)?.Title;
      const hs = hubspot.getContact(contactId)?.properties.jobtitle;
      return sf === hs ? sf : undefined;
    });
    await sandbox.settle();
    // HubSpot keeps milliseconds, Salesforce whole seconds: the HubSpot edit is the newer one.
    expect(salesforce.get('Lead', leadId)?.Title).toBe('Head of Platform');
    const conflicts = (await sandbox.daemon.context.ledger.read(10_000)).filter(
      (e) => e.kind === 'conflict' && e.person === contactId,
    );
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({
      field: 'title',
      from: 'Head of Platform',
      to: 'Chief Architect',
      origin: 'hubspot',
    });
  });

  it('makes zero echo writes once a change has propagated (counted by the simulators)', async () => {
    const { contactId, leadId } = await linkedPerson('echo');
    sandbox.sims.hubspot.updateContact(contactId, { lifecyclestage: 'salesqualifiedlead' });
    await waitFor(
      'SQL in Salesforce',
      () => sandbox.sims.salesforce.get('Lead', leadId)?.Lifecycle_Stage__c === 'SQL',
    );
    await sandbox.settle();
    sandbox.sims.hubspot.resetCalls();
    sandbox.sims.salesforce.resetCalls();
    await new Promise((r) => setTimeout(r, POLL_MS * 6));
    await sandbox.settle();
    expect(sandbox.sims.hubspot.calls().writes).toBe(0);
    expect(sandbox.sims.salesforce.calls().writes).toBe(0);
    // The pollers did run meanwhile: reads happened, writes did not.
    expect(sandbox.sims.hubspot.calls().reads + sandbox.sims.salesforce.calls().reads).toBeGreaterThan(0);
  });

  it('dead-letters a bad value with record, field and reason while the others sync', async () => {
    const { hubspot, salesforce } = sandbox.sims;
    const bad = uniqueEmail('bad-industry');
    const good = uniqueEmail('good-industry');
    // REAL_ESTATE is a valid HubSpot option with no value_map entry and no Salesforce picklist value.
    const badId = hubspot.createContact({ email: bad, lastname: 'Bad', industry: 'REAL_ESTATE' });
    hubspot.createContact({ email: good, lastname: 'Good', industry: 'COMPUTER_SOFTWARE' });
    const goodLead = await waitFor('the good person created', () =>
      salesforce.all('Lead').find((l) => l.Email === good),
    );
    expect(goodLead.Industry).toBe('Technology');
    const letter = await waitFor('a dead letter for the bad person', async () =>
      (await listDeadLetters(sandbox.daemon.context.queues)).find((d) =>
        d.reason.includes(`HubSpot contact ${badId}`),
      ),
    );
    expect(letter.reason).toContain('Industry');
    expect(letter.reason).toContain('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    expect(letter.reason).toContain('Fix:');
    expect(salesforce.all('Lead').some((l) => l.Email === bad)).toBe(false);
  });

  it("still syncs a linked person's stage when the same write carries a value Salesforce refuses", async () => {
    const { contactId, leadId } = await linkedPerson('half-bad');
    const { hubspot, salesforce } = sandbox.sims;
    hubspot.updateContact(contactId, { industry: 'REAL_ESTATE', lifecyclestage: 'marketingqualifiedlead' });
    await waitFor(
      'the stage on the lead',
      () => salesforce.get('Lead', leadId)?.Lifecycle_Stage__c === 'MQL',
    );
    const letter = await waitFor('a dead letter for the refused field', async () =>
      (await listDeadLetters(sandbox.daemon.context.queues)).find((d) => d.reason.includes(leadId)),
    );
    expect(letter.reason).toContain('field Industry');
    expect(salesforce.get('Lead', leadId)?.Industry ?? null).toBeNull();
  });
});
