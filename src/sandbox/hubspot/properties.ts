/**
 * Property lookup, value normalisation and validation, plus the properties-API wire shape. HubSpot
 * validates a write against the property definition and answers in the
 * `Property values were not valid: [...]` style (API-NOTES §2.2); values are always stored as strings.
 */
import { type ObjectType, PROPERTIES, type PropertyDef } from './properties-data.js';

export interface PropertyError {
  isValid: false;
  message: string;
  error: string;
  name: string;
  localizedErrorMessage: string;
}

const byName: Record<ObjectType, Map<string, PropertyDef>> = {
  contacts: new Map(PROPERTIES.contacts.map((p) => [p.name, p])),
  deals: new Map(PROPERTIES.deals.map((p) => [p.name, p])),
};

export function propertyDef(objectType: ObjectType, name: string): PropertyDef | undefined {
  return byName[objectType].get(name);
}

export function propertyDefs(objectType: ObjectType): PropertyDef[] {
  return PROPERTIES[objectType];
}

export interface NormalizeOptions {
  /** The API may not write read-only values; the in-process seeding API may (setReadOnly). */
  allowReadOnly: boolean;
}

/**
 * Turns one requested write into stored strings. `""` (or null) means "clear". Returns the normalised
 * values and the validation errors; a caller must commit nothing when there is any error.
 */
export function normalizeProperties(
  objectType: ObjectType,
  input: Record<string, unknown>,
  options: NormalizeOptions,
): { values: Record<string, string>; errors: PropertyError[] } {
  const values: Record<string, string> = {};
  const errors: PropertyError[] = [];
  for (const [name, raw] of Object.entries(input)) {
    const def = propertyDef(objectType, name);
    if (!def) {
      errors.push(
        error(
          name,
          'PROPERTY_DOESNT_EXIST',
          `Property "${name}" does not exist`,
          `Property "${name}" does not exist`,
        ),
      );
      continue;
    }
    if (def.readOnly && !options.allowReadOnly) {
      errors.push(
        error(
          name,
          'READ_ONLY_VALUE',
          `"${name}" is a read only property; its value cannot be set.`,
          `Property "${def.label}" is read-only`,
        ),
      );
      continue;
    }
    const text =
      raw === null || raw === undefined ? '' : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
    if (text === '') {
      values[name] = '';
      continue;
    }
    const result = normalizeValue(def, text);
    if (typeof result === 'string') values[name] = result;
    else errors.push(result);
  }
  return { values, errors };
}

function normalizeValue(def: PropertyDef, text: string): string | PropertyError {
  switch (def.type) {
    case 'number': {
      const n = Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(n)) {
        return error(
          def.name,
          'INVALID_FLOAT',
          `${text} was not a valid number.`,
          `Property "${def.label}" must be a number`,
        );
      }
      // HubSpot echoes numbers in canonical form ("100.0" comes back as "100").
      return String(n);
    }
    case 'datetime': {
      const ms = parseTime(text);
      if (ms === undefined) {
        return error(
          def.name,
          'INVALID_DATETIME',
          `${text} is not a valid datetime`,
          `Property "${def.label}" must be a date and time`,
        );
      }
      return new Date(ms).toISOString();
    }
    case 'date': {
      const ms = parseTime(text);
      if (ms === undefined || ms % 86_400_000 !== 0) {
        return error(
          def.name,
          'INVALID_DATE',
          `${text} is not a valid date: date values must be at midnight UTC`,
          `Property "${def.label}" must be a date`,
        );
      }
      return new Date(ms).toISOString().slice(0, 10);
    }
    case 'bool':
    case 'enumeration': {
      const options = def.options ?? [];
      if (!options.some((o) => o.value === text)) {
        const listed = options.map((o) => `label: "${o.label}"\nvalue: "${o.value}"\n`).join(', ');
        return error(
          def.name,
          'INVALID_OPTION',
          `${text} was not one of the allowed options: [${listed}]`,
          `Property "${def.label}" has an invalid option`,
        );
      }
      return text;
    }
    default: {
      if (def.name === 'email') {
        const email = text.trim().toLowerCase();
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
          return error(
            def.name,
            'INVALID_EMAIL',
            `Email address ${text} is invalid`,
            'Email address is invalid',
          );
        }
        return email;
      }
      return text;
    }
  }
}

/** Epoch-ms string or ISO-8601 (the two forms HubSpot accepts for dates), else undefined. */
export function parseTime(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^-?\d+$/.test(trimmed)) return Number(trimmed);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return undefined;
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? undefined : ms;
}

function error(name: string, code: string, message: string, localized: string): PropertyError {
  return { isValid: false, message, error: code, name, localizedErrorMessage: localized };
}

/** The top-level message HubSpot puts on a 400 for bad property values. */
export function propertyErrorMessage(errors: PropertyError[]): string {
  return `Property values were not valid: ${JSON.stringify(errors)}`;
}

const DEFINED_AT = '2019-08-06T02:41:08.029Z';
const UPDATED_AT = '2024-01-01T00:00:00.000Z';

/** One property in the properties-API shape (API-NOTES §2.7). */
export function propertyToWire(def: PropertyDef): Record<string, unknown> {
  return {
    name: def.name,
    label: def.label,
    type: def.type,
    fieldType: def.fieldType,
    description: def.description ?? '',
    groupName: def.groupName,
    options: (def.options ?? []).map((o, i) => ({
      label: o.label,
      value: o.value,
      displayOrder: i,
      hidden: false,
    })),
    displayOrder: -1,
    calculated: def.calculated ?? false,
    externalOptions: false,
    hasUniqueValue: def.hasUniqueValue ?? false,
    hidden: false,
    hubspotDefined: !def.custom,
    formField: !def.readOnly,
    modificationMetadata: {
      archivable: Boolean(def.custom),
      readOnlyDefinition: !def.custom,
      readOnlyValue: def.readOnly ?? false,
    },
    createdAt: DEFINED_AT,
    updatedAt: UPDATED_AT,
    archived: false,
  };
}
