/**
 * The simulated org's metadata: one place that lists every object and field the simulator knows.
 * Describe, SOQL validation and write validation all read it, so they cannot disagree.
 * Objects follow a standard org (Contact has no Industry / AnnualRevenue / NumberOfEmployees; Lead
 * and Account do) plus the custom fields the default mappings need (DESIGN.md §3).
 */
import {
  INDUSTRIES,
  LEAD_SOURCES,
  LEAD_STATUSES,
  LIFECYCLE_STAGES,
  OPPORTUNITY_STAGES,
  ROLES,
} from './picklists.js';

export { INDUSTRIES, LEAD_STATUSES, LIFECYCLE_STAGES, OPPORTUNITY_STAGES } from './picklists.js';

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'reference';

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  length: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  calculated: boolean;
  defaultedOnCreate: boolean;
  custom: boolean;
  externalId: boolean;
  /** Picklist values (active), first entry flagged default when `picklistDefault` is set. */
  picklist?: string[];
  picklistDefault?: string;
  restricted?: boolean;
  referenceTo?: string[];
  relationshipName?: string;
  precision?: number;
  scale?: number;
}

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  fields: FieldDef[];
}

type Extra = Partial<FieldDef>;

function field(name: string, label: string, type: FieldType, extra: Extra = {}): FieldDef {
  const textual = ['string', 'textarea', 'email', 'phone', 'url', 'picklist'].includes(type);
  return {
    name,
    label,
    type,
    length: textual ? 255 : type === 'id' || type === 'reference' ? 18 : 0,
    nillable: true,
    createable: true,
    updateable: true,
    calculated: false,
    defaultedOnCreate: false,
    custom: name.endsWith('__c'),
    externalId: false,
    ...extra,
  };
}

/** Read-only, filled by the platform. */
const SYSTEM: Extra = { createable: false, updateable: false, nillable: false, defaultedOnCreate: true };
const ref = (to: string, relationshipName: string, extra: Extra = {}): Extra => ({
  referenceTo: [to],
  relationshipName,
  ...extra,
});

function systemFields(owned: boolean): FieldDef[] {
  const list = [
    field('Id', `Record ID`, 'id', { ...SYSTEM }),
    field('IsDeleted', 'Deleted', 'boolean', { ...SYSTEM }),
    field('CreatedDate', 'Created Date', 'datetime', { ...SYSTEM }),
    field('CreatedById', 'Created By ID', 'reference', { ...SYSTEM, ...ref('User', 'CreatedBy') }),
    field('LastModifiedDate', 'Last Modified Date', 'datetime', { ...SYSTEM }),
    field('LastModifiedById', 'Last Modified By ID', 'reference', {
      ...SYSTEM,
      ...ref('User', 'LastModifiedBy'),
    }),
    field('SystemModstamp', 'System Modstamp', 'datetime', { ...SYSTEM }),
  ];
  if (owned) {
    list.push(
      field('OwnerId', 'Owner ID', 'reference', {
        nillable: false,
        defaultedOnCreate: true,
        ...ref('User', 'Owner'),
      }),
    );
  }
  return list;
}

const NAME_FORMULA: Extra = {
  createable: false,
  updateable: false,
  calculated: false,
  nillable: false,
  length: 121,
};

function personFields(): FieldDef[] {
  return [
    field('FirstName', 'First Name', 'string', { length: 40 }),
    field('LastName', 'Last Name', 'string', { length: 80, nillable: false }),
    field('Name', 'Full Name', 'string', NAME_FORMULA),
    field('Email', 'Email', 'email', { length: 80 }),
    field('Title', 'Title', 'string', { length: 128 }),
    field('Phone', 'Phone', 'phone', { length: 40 }),
    field('LeadSource', 'Lead Source', 'picklist', { length: 255, picklist: LEAD_SOURCES }),
  ];
}

/** Custom fields shared by Lead and Contact (DESIGN.md §3 default mappings). */
function customPersonFields(): FieldDef[] {
  return [
    field('Lifecycle_Stage__c', 'Lifecycle Stage', 'picklist', {
      picklist: LIFECYCLE_STAGES,
      restricted: true,
    }),
    field('HubSpot_Contact_Id__c', 'HubSpot Contact Id', 'string', { length: 18, externalId: true }),
    field('HubSpot_Score__c', 'HubSpot Score', 'double', { precision: 18, scale: 0 }),
    field('Last_Email_Open__c', 'Last Email Open', 'datetime'),
    field('Last_Email_Click__c', 'Last Email Click', 'datetime'),
    field('Last_Conversion__c', 'Last Conversion', 'string', { length: 255 }),
    field('Last_Conversion_Date__c', 'Last Conversion Date', 'datetime'),
    field('Page_Views__c', 'Page Views', 'double', { precision: 18, scale: 0 }),
  ];
}

function firmographics(): FieldDef[] {
  return [
    field('Industry', 'Industry', 'picklist', { picklist: INDUSTRIES, restricted: true }),
    field('AnnualRevenue', 'Annual Revenue', 'currency', { precision: 18, scale: 0 }),
    field('NumberOfEmployees', 'Employees', 'int', { precision: 8, scale: 0 }),
  ];
}

const READ_ONLY: Extra = { createable: false, updateable: false };

export const OBJECTS: readonly ObjectDef[] = [
  {
    name: 'Lead',
    label: 'Lead',
    labelPlural: 'Leads',
    fields: [
      ...systemFields(true),
      ...personFields(),
      field('Company', 'Company', 'string', { length: 255, nillable: false }),
      ...firmographics(),
      field('Status', 'Lead Status', 'picklist', {
        picklist: LEAD_STATUSES,
        picklistDefault: 'Open - Not Contacted',
        restricted: true,
        nillable: false,
        defaultedOnCreate: true,
      }),
      field('IsConverted', 'Converted', 'boolean', {
        ...READ_ONLY,
        nillable: false,
        defaultedOnCreate: true,
      }),
      field('ConvertedDate', 'Converted Date', 'date', READ_ONLY),
      field('ConvertedAccountId', 'Converted Account ID', 'reference', {
        ...READ_ONLY,
        ...ref('Account', 'ConvertedAccount'),
      }),
      field('ConvertedContactId', 'Converted Contact ID', 'reference', {
        ...READ_ONLY,
        ...ref('Contact', 'ConvertedContact'),
      }),
      field('ConvertedOpportunityId', 'Converted Opportunity ID', 'reference', {
        ...READ_ONLY,
        ...ref('Opportunity', 'ConvertedOpportunity'),
      }),
      ...customPersonFields(),
    ],
  },
  {
    name: 'Contact',
    label: 'Contact',
    labelPlural: 'Contacts',
    fields: [
      ...systemFields(true),
      field('AccountId', 'Account ID', 'reference', ref('Account', 'Account')),
      ...personFields(),
      ...customPersonFields(),
    ],
  },
  {
    name: 'Account',
    label: 'Account',
    labelPlural: 'Accounts',
    fields: [
      ...systemFields(true),
      field('Name', 'Account Name', 'string', { length: 255, nillable: false }),
      ...firmographics(),
      field('Phone', 'Account Phone', 'phone', { length: 40 }),
      field('Website', 'Website', 'url', { length: 255 }),
    ],
  },
  {
    name: 'Opportunity',
    label: 'Opportunity',
    labelPlural: 'Opportunities',
    fields: [
      ...systemFields(true),
      field('Name', 'Name', 'string', { length: 120, nillable: false }),
      field('AccountId', 'Account ID', 'reference', ref('Account', 'Account')),
      field('StageName', 'Stage', 'picklist', {
        picklist: OPPORTUNITY_STAGES,
        restricted: true,
        nillable: false,
      }),
      field('Amount', 'Amount', 'currency', { precision: 18, scale: 2 }),
      field('CloseDate', 'Close Date', 'date', { nillable: false }),
      field('IsClosed', 'Closed', 'boolean', { ...READ_ONLY, nillable: false, defaultedOnCreate: true }),
      field('IsWon', 'Won', 'boolean', { ...READ_ONLY, nillable: false, defaultedOnCreate: true }),
      field('LeadSource', 'Lead Source', 'picklist', { picklist: LEAD_SOURCES }),
    ],
  },
  {
    name: 'OpportunityContactRole',
    label: 'Opportunity Contact Role',
    labelPlural: 'Opportunity Contact Role',
    fields: [
      ...systemFields(false),
      field('OpportunityId', 'Opportunity ID', 'reference', {
        nillable: false,
        updateable: false,
        ...ref('Opportunity', 'Opportunity'),
      }),
      field('ContactId', 'Contact ID', 'reference', { nillable: false, ...ref('Contact', 'Contact') }),
      field('Role', 'Role', 'picklist', { length: 40, picklist: ROLES }),
      field('IsPrimary', 'Primary', 'boolean', { nillable: false, defaultedOnCreate: true }),
    ],
  },
  {
    name: 'User',
    label: 'User',
    labelPlural: 'Users',
    fields: [
      ...systemFields(false),
      field('Username', 'Username', 'string', { length: 80, nillable: false }),
      field('FirstName', 'First Name', 'string', { length: 40 }),
      field('LastName', 'Last Name', 'string', { length: 80, nillable: false }),
      field('Name', 'Full Name', 'string', NAME_FORMULA),
      field('Email', 'Email', 'email', { length: 128, nillable: false }),
      field('IsActive', 'Active', 'boolean', { nillable: false, defaultedOnCreate: true }),
    ],
  },
];

const BY_NAME = new Map(OBJECTS.map((o) => [o.name.toLowerCase(), o]));
const FIELD_INDEX = new Map(
  OBJECTS.map((o) => [o.name, new Map(o.fields.map((f) => [f.name.toLowerCase(), f]))]),
);

/** Object names are case-insensitive in Salesforce; answers use the canonical spelling. */
export function objectDef(name: string): ObjectDef | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export function fieldDef(object: ObjectDef, name: string): FieldDef | undefined {
  return FIELD_INDEX.get(object.name)?.get(name.toLowerCase());
}

/** The reference field whose relationship name is `name` (e.g. `ConvertedOpportunity`). */
export function relationshipDef(object: ObjectDef, name: string): FieldDef | undefined {
  const lower = name.toLowerCase();
  return object.fields.find((f) => f.relationshipName?.toLowerCase() === lower);
}

/** Fields a create must carry (not nillable, createable, and not filled in by the platform). */
export function requiredOnCreate(object: ObjectDef): FieldDef[] {
  return object.fields.filter(
    (f) => !f.nillable && f.createable && !f.defaultedOnCreate && f.type !== 'boolean',
  );
}

export const TEXT_TYPES: ReadonlySet<FieldType> = new Set([
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'picklist',
]);
export const NUMBER_TYPES: ReadonlySet<FieldType> = new Set(['int', 'double', 'currency', 'percent']);
