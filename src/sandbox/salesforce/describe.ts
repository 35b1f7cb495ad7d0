/**
 * `GET /sobjects/:object/describe` answers built from schema.ts, with the DescribeSObjectResult and
 * Field keys of API-NOTES §1.5 (the subset jsforce's types and the daemon read, plus neighbours).
 */
import { KEY_PREFIXES } from './ids.js';
import { type FieldDef, NUMBER_TYPES, OBJECTS, type ObjectDef } from './schema.js';
import type { JsonObject } from './soql-eval.js';

const SOAP_TYPES: Record<FieldDef['type'], string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  url: 'xsd:string',
  picklist: 'xsd:string',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

export function describeField(def: FieldDef): JsonObject {
  return {
    name: def.name,
    label: def.label,
    type: def.type,
    soapType: SOAP_TYPES[def.type],
    length: def.length,
    byteLength: def.length * 3,
    precision: def.precision ?? 0,
    scale: def.scale ?? 0,
    digits: def.type === 'int' ? (def.precision ?? 9) : 0,
    custom: def.custom,
    nillable: def.nillable,
    createable: def.createable,
    updateable: def.updateable,
    calculated: def.calculated,
    defaultedOnCreate: def.defaultedOnCreate,
    defaultValue: null,
    restrictedPicklist: def.restricted ?? false,
    dependentPicklist: false,
    controllerName: null,
    referenceTo: def.referenceTo ?? [],
    relationshipName: def.relationshipName ?? null,
    externalId: def.externalId,
    idLookup: def.type === 'id' || def.externalId || def.type === 'email',
    unique: false,
    filterable: true,
    sortable: def.type !== 'textarea',
    groupable: !NUMBER_TYPES.has(def.type) && def.type !== 'datetime',
    nameField: def.name === 'Name',
    picklistValues: (def.picklist ?? []).map((value) => ({
      active: true,
      defaultValue: value === def.picklistDefault,
      label: value,
      validFor: null,
      value,
    })),
  };
}

export function describeObject(object: ObjectDef, version: string): JsonObject {
  const base = `/services/data/${version}/sobjects/${object.name}`;
  return {
    name: object.name,
    label: object.label,
    labelPlural: object.labelPlural,
    keyPrefix: KEY_PREFIXES[object.name] ?? null,
    custom: false,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    retrieveable: true,
    searchable: true,
    fields: object.fields.map(describeField),
    childRelationships: [],
    recordTypeInfos: [],
    urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` },
  };
}

/** `GET /sobjects` (describeGlobal), short form. */
export function describeGlobal(version: string): JsonObject {
  return {
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: OBJECTS.map((o) => ({
      name: o.name,
      label: o.label,
      labelPlural: o.labelPlural,
      keyPrefix: KEY_PREFIXES[o.name] ?? null,
      custom: false,
      queryable: true,
      urls: { sobject: `/services/data/${version}/sobjects/${o.name}` },
    })),
  };
}
