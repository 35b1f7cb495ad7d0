/**
 * Lead conversion, as a sales rep does it in the UI (it is not a REST call: API-NOTES §1.8).
 * Creates Account, Contact and optionally Opportunity + primary OpportunityContactRole, then marks the
 * lead converted. The custom person fields are carried over to the contact, the usual admin mapping.
 */
import { type SalesforceStore, UI_ORIGIN } from './store.js';
import { formatDate } from './values.js';

export interface ConvertLeadOptions {
  /** Default true, like the convert dialog. */
  createOpportunity?: boolean;
  opportunityName?: string;
  /** Default `Prospecting`. */
  stageName?: string;
  amount?: number;
  /** Default: 30 days after conversion. */
  closeDate?: string;
  /** Merge into an existing account / contact instead of creating them. */
  accountId?: string;
  contactId?: string;
}

export interface ConversionResult {
  accountId: string;
  contactId: string;
  opportunityId: string | null;
  opportunityContactRoleId: string | null;
}

const CARRIED_OVER = [
  'Lifecycle_Stage__c',
  'HubSpot_Contact_Id__c',
  'HubSpot_Score__c',
  'Last_Email_Open__c',
  'Last_Email_Click__c',
  'Last_Conversion__c',
  'Last_Conversion_Date__c',
  'Page_Views__c',
  'LeadSource',
];

export function convertLead(
  store: SalesforceStore,
  now: () => number,
  leadId: string,
  options: ConvertLeadOptions = {},
): ConversionResult {
  const lead = store.find(leadId);
  if (lead?.object !== 'Lead' || lead.deleted) throw new Error(`convertLead: no lead ${leadId}`);
  if (lead.fields.IsConverted === true) throw new Error(`convertLead: lead ${leadId} is already converted`);
  const f = lead.fields;
  const stamp = now();

  const create = (object: string, values: Record<string, unknown>): string => {
    const outcome = store.apply(store.prepareCreate(object, values), UI_ORIGIN, stamp);
    if (!outcome.ok)
      throw new Error(`convertLead: ${object} ${outcome.error.statusCode}: ${outcome.error.message}`);
    return outcome.id;
  };

  const accountId =
    options.accountId ??
    create('Account', {
      Name: f.Company,
      Industry: f.Industry,
      AnnualRevenue: f.AnnualRevenue,
      NumberOfEmployees: f.NumberOfEmployees,
      Phone: f.Phone,
    });
  const contactFields: Record<string, unknown> = {
    AccountId: accountId,
    FirstName: f.FirstName,
    LastName: f.LastName,
    Email: f.Email,
    Title: f.Title,
    Phone: f.Phone,
  };
  for (const name of CARRIED_OVER) contactFields[name] = f[name] ?? null;
  const contactId = options.contactId ?? create('Contact', contactFields);

  let opportunityId: string | null = null;
  let roleId: string | null = null;
  if (options.createOpportunity ?? true) {
    opportunityId = create('Opportunity', {
      Name: options.opportunityName ?? `${String(f.Company)}-`,
      AccountId: accountId,
      StageName: options.stageName ?? 'Prospecting',
      Amount: options.amount ?? null,
      CloseDate: options.closeDate ?? formatDate(stamp + 30 * 86_400_000),
      LeadSource: f.LeadSource,
    });
    roleId = create('OpportunityContactRole', {
      OpportunityId: opportunityId,
      ContactId: contactId,
      IsPrimary: true,
      Role: 'Decision Maker',
    });
  }

  store.systemSet(
    lead.fields.Id as string,
    {
      IsConverted: true,
      ConvertedDate: formatDate(stamp),
      ConvertedAccountId: accountId,
      ConvertedContactId: contactId,
      ConvertedOpportunityId: opportunityId,
      Status: 'Closed - Converted',
    },
    UI_ORIGIN,
  );
  return { accountId, contactId, opportunityId, opportunityContactRoleId: roleId };
}
