/**
 * The simulated portal's property definitions and deal pipeline: one data file, so the simulator's
 * validation, the properties API and the pipelines API can never disagree (API-NOTES §2.7–2.10).
 */

export type ObjectType = 'contacts' | 'deals';
export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';

export interface OptionDef {
  label: string;
  value: string;
}

export interface PropertyDef {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  groupName: string;
  description?: string;
  options?: OptionDef[];
  /** `modificationMetadata.readOnlyValue`: the API refuses writes (calculated / system values). */
  readOnly?: boolean;
  calculated?: boolean;
  /** Custom (portal-defined) property, i.e. `hubspotDefined: false`. */
  custom?: boolean;
  hasUniqueValue?: boolean;
}

const opts = (pairs: Array<[string, string]>): OptionDef[] =>
  pairs.map(([value, label]) => ({ value, label }));

/** Default lifecycle stages, in their forward order (API-NOTES §2.8). */
export const LIFECYCLE_ORDER = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;

const LIFECYCLE_LABELS: Record<string, string> = {
  subscriber: 'Subscriber',
  lead: 'Lead',
  marketingqualifiedlead: 'Marketing Qualified Lead',
  salesqualifiedlead: 'Sales Qualified Lead',
  opportunity: 'Opportunity',
  customer: 'Customer',
  evangelist: 'Evangelist',
  other: 'Other',
};

export const INDUSTRY_OPTIONS = opts([
  ['ACCOUNTING', 'Accounting'],
  ['BANKING', 'Banking'],
  ['COMPUTER_SOFTWARE', 'Computer Software'],
  ['EDUCATION_MANAGEMENT', 'Education Management'],
  ['FINANCIAL_SERVICES', 'Financial Services'],
  ['HOSPITAL_HEALTH_CARE', 'Hospital & Health Care'],
  ['INFORMATION_TECHNOLOGY_AND_SERVICES', 'Information Technology and Services'],
  ['INSURANCE', 'Insurance'],
  ['MANUFACTURING', 'Manufacturing'],
  ['MARKETING_AND_ADVERTISING', 'Marketing and Advertising'],
  ['REAL_ESTATE', 'Real Estate'],
  ['RETAIL', 'Retail'],
  ['TELECOMMUNICATIONS', 'Telecommunications'],
]);

export const NUMEMPLOYEES_OPTIONS = opts(
  ['1-5', '5-25', '25-50', '50-100', '100-500', '500-1000', '1000+'].map((v) => [v, v]),
);

export const LEAD_STATUS_OPTIONS = opts([
  ['NEW', 'New'],
  ['OPEN', 'Open'],
  ['IN_PROGRESS', 'In Progress'],
  ['OPEN_DEAL', 'Open Deal'],
  ['UNQUALIFIED', 'Unqualified'],
  ['ATTEMPTED_TO_CONTACT', 'Attempted to Contact'],
  ['CONNECTED', 'Connected'],
  ['BAD_TIMING', 'Bad Timing'],
]);

export interface StageDef {
  id: string;
  label: string;
  probability: string;
  isClosed: boolean;
}

export const DEFAULT_PIPELINE = {
  id: 'default',
  label: 'Sales Pipeline',
  stages: [
    { id: 'appointmentscheduled', label: 'Appointment Scheduled', probability: '0.2', isClosed: false },
    { id: 'qualifiedtobuy', label: 'Qualified To Buy', probability: '0.4', isClosed: false },
    { id: 'presentationscheduled', label: 'Presentation Scheduled', probability: '0.6', isClosed: false },
    { id: 'decisionmakerboughtin', label: 'Decision Maker Bought-In', probability: '0.8', isClosed: false },
    { id: 'contractsent', label: 'Contract Sent', probability: '0.9', isClosed: false },
    { id: 'closedwon', label: 'Closed Won', probability: '1.0', isClosed: true },
    { id: 'closedlost', label: 'Closed Lost', probability: '0.0', isClosed: true },
  ] satisfies StageDef[],
};

const system = (name: string, label: string, type: PropertyType, fieldType: string): PropertyDef => ({
  name,
  label,
  type,
  fieldType,
  groupName: 'contactinformation',
  readOnly: true,
});

const CONTACT_PROPERTIES: PropertyDef[] = [
  { name: 'email', label: 'Email', type: 'string', fieldType: 'text', groupName: 'contactinformation' },
  {
    name: 'firstname',
    label: 'First Name',
    type: 'string',
    fieldType: 'text',
    groupName: 'contactinformation',
  },
  {
    name: 'lastname',
    label: 'Last Name',
    type: 'string',
    fieldType: 'text',
    groupName: 'contactinformation',
  },
  {
    name: 'company',
    label: 'Company Name',
    type: 'string',
    fieldType: 'text',
    groupName: 'contactinformation',
  },
  {
    name: 'jobtitle',
    label: 'Job Title',
    type: 'string',
    fieldType: 'text',
    groupName: 'contactinformation',
  },
  {
    name: 'phone',
    label: 'Phone Number',
    type: 'string',
    fieldType: 'phonenumber',
    groupName: 'contactinformation',
  },
  {
    name: 'industry',
    label: 'Industry',
    type: 'enumeration',
    fieldType: 'select',
    groupName: 'contactinformation',
    options: INDUSTRY_OPTIONS,
  },
  {
    name: 'annualrevenue',
    label: 'Annual Revenue',
    type: 'number',
    fieldType: 'number',
    groupName: 'contactinformation',
  },
  {
    name: 'numemployees',
    label: 'Number of Employees',
    type: 'enumeration',
    fieldType: 'select',
    groupName: 'contactinformation',
    options: NUMEMPLOYEES_OPTIONS,
  },
  {
    name: 'lifecyclestage',
    label: 'Lifecycle Stage',
    type: 'enumeration',
    fieldType: 'radio',
    groupName: 'contactinformation',
    description: 'The qualification of contacts to sales readiness.',
    options: LIFECYCLE_ORDER.map((value) => ({ value, label: LIFECYCLE_LABELS[value] ?? value })),
  },
  {
    name: 'hs_lead_status',
    label: 'Lead Status',
    type: 'enumeration',
    fieldType: 'radio',
    groupName: 'sales_properties',
    description: "The contact's sales, prospecting or outreach status",
    options: LEAD_STATUS_OPTIONS,
  },
  { ...system('hubspotscore', 'HubSpot Score', 'number', 'number'), calculated: true },
  system('hs_email_last_open_date', 'Last marketing email open date', 'datetime', 'date'),
  system('hs_email_last_click_date', 'Last marketing email click date', 'datetime', 'date'),
  system('recent_conversion_event_name', 'Recent Conversion', 'string', 'text'),
  system('recent_conversion_date', 'Recent Conversion Date', 'datetime', 'date'),
  system('hs_analytics_num_page_views', 'Number of Pageviews', 'number', 'number'),
  system('num_conversion_events', 'Number of Form Submissions', 'number', 'number'),
  system('createdate', 'Create Date', 'datetime', 'date'),
  system('lastmodifieddate', 'Last Modified Date', 'datetime', 'date'),
  { ...system('hs_object_id', 'Record ID', 'number', 'number'), hasUniqueValue: true },
  custom('salesforce_lead_id', 'Salesforce Lead ID', 'string', 'text'),
  custom('salesforce_contact_id', 'Salesforce Contact ID', 'string', 'text'),
  custom('salesforce_closed_won_amount', 'Salesforce Closed Won Amount', 'number', 'number'),
  custom('salesforce_closed_won_date', 'Salesforce Closed Won Date', 'date', 'date'),
];

const DEAL_PROPERTIES: PropertyDef[] = [
  { name: 'dealname', label: 'Deal Name', type: 'string', fieldType: 'text', groupName: 'dealinformation' },
  { name: 'amount', label: 'Amount', type: 'number', fieldType: 'number', groupName: 'dealinformation' },
  {
    name: 'dealstage',
    label: 'Deal Stage',
    type: 'enumeration',
    fieldType: 'radio',
    groupName: 'dealinformation',
    options: DEFAULT_PIPELINE.stages.map((s) => ({ value: s.id, label: s.label })),
  },
  {
    name: 'pipeline',
    label: 'Pipeline',
    type: 'enumeration',
    fieldType: 'select',
    groupName: 'dealinformation',
    options: [{ value: DEFAULT_PIPELINE.id, label: DEFAULT_PIPELINE.label }],
  },
  {
    name: 'closedate',
    label: 'Close Date',
    type: 'datetime',
    fieldType: 'date',
    groupName: 'dealinformation',
  },
  {
    name: 'hs_is_closed_won',
    label: 'Is Closed Won',
    type: 'bool',
    fieldType: 'booleancheckbox',
    groupName: 'dealinformation',
    readOnly: true,
    calculated: true,
    options: opts([
      ['true', 'True'],
      ['false', 'False'],
    ]),
  },
  { ...system('createdate', 'Create Date', 'datetime', 'date'), groupName: 'dealinformation' },
  {
    ...system('hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date'),
    groupName: 'dealinformation',
  },
  {
    ...system('hs_object_id', 'Record ID', 'number', 'number'),
    groupName: 'dealinformation',
    hasUniqueValue: true,
  },
  {
    ...custom('salesforce_opportunity_id', 'Salesforce Opportunity ID', 'string', 'text'),
    groupName: 'dealinformation',
  },
];

function custom(name: string, label: string, type: PropertyType, fieldType: string): PropertyDef {
  return { name, label, type, fieldType, groupName: 'salesforce', custom: true };
}

export const PROPERTIES: Record<ObjectType, PropertyDef[]> = {
  contacts: CONTACT_PROPERTIES,
  deals: DEAL_PROPERTIES,
};

/** Contacts order on `lastmodifieddate`; every other object on `hs_lastmodifieddate` (API-NOTES §2.4). */
export const MODIFIED_PROPERTY: Record<ObjectType, string> = {
  contacts: 'lastmodifieddate',
  deals: 'hs_lastmodifieddate',
};

/** What read/search return when the request names no properties. */
export const DEFAULT_READ_PROPERTIES: Record<ObjectType, string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  deals: [
    'amount',
    'closedate',
    'createdate',
    'dealname',
    'dealstage',
    'hs_lastmodifieddate',
    'hs_object_id',
    'pipeline',
  ],
};

/** Object type ids accepted in place of names (`0-1`, `0-3`). */
export const OBJECT_TYPE_IDS: Record<ObjectType, string> = { contacts: '0-1', deals: '0-3' };
