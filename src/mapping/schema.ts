/**
 * The shape of the mapping files in `mappings/`, validated with zod. The messages are written for the
 * admin who edits these files: each says what is wrong and what would fix it.
 */
import { z } from 'zod';

const systemValues = z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]));

const stageSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lowercase letters, digits and _ (e.g. "mql")'),
  label: z.string().optional(),
  hubspot: systemValues.default({}),
  salesforce: systemValues.default({}),
});

const exitSchema = stageSchema.extend({
  on_leave: z
    .strictObject({ hubspot: systemValues.default({}), salesforce: systemValues.default({}) })
    .default({ hubspot: {}, salesforce: {} }),
});

export const stageConflictRules = ['newest', 'prefer_hubspot', 'prefer_salesforce'] as const;

const conditionSchema = z.strictObject({
  field: z.string().min(1),
  op: z.enum(['gte', 'gt', 'lte', 'lt', 'eq', 'neq']),
  value: z.union([z.number(), z.string(), z.boolean()]),
});

export const lifecycleFileSchema = z.strictObject({
  version: z.literal(1, 'set `version: 1`'),
  allow_backward: z.boolean().default(false),
  conflict: z.enum(stageConflictRules).default('newest'),
  stages: z.array(stageSchema).min(1, 'list at least one stage'),
  exits: z.array(exitSchema).default([]),
  qualification: z
    .strictObject({ stage: z.string().min(1), all: z.array(conditionSchema).min(1) })
    .optional(),
  sla: z
    .array(
      z.strictObject({ from: z.string().min(1), to: z.string().min(1), within_hours: z.number().positive() }),
    )
    .default([]),
});

export const syncDirections = ['both', 'hubspot_to_salesforce', 'salesforce_to_hubspot', 'none'] as const;
export const conflictRules = [
  'newest',
  'prefer_hubspot',
  'prefer_salesforce',
  'prefer_hubspot_unless_blank',
  'prefer_salesforce_unless_blank',
] as const;
export const fieldTypes = ['string', 'number', 'date', 'datetime', 'boolean'] as const;

const transformSchema = z.union([
  z.enum(['trim', 'lowercase', 'uppercase']),
  z.strictObject({ truncate: z.number().int().positive() }),
]);

const fieldPairSchema = z.strictObject({
  canonical: z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lowercase letters, digits and _ (e.g. "title")'),
  hubspot: z.string().min(1),
  salesforce: z.union([z.string().min(1), z.record(z.string().min(1), z.string().min(1))]),
  sync: z.enum(syncDirections),
  conflict: z.enum(conflictRules).optional(),
  type: z.enum(fieldTypes).default('string'),
  transform: z.array(transformSchema).default([]),
  value_map: z.array(z.strictObject({ hubspot: z.string(), salesforce: z.string() })).optional(),
  unmapped: z.enum(['pass', 'drop']).default('pass'),
  hubspot_ranges: z
    .array(z.string().regex(/^\d+(-\d+|\+)$/, 'write ranges like "50-100" or "1000+"'))
    .optional(),
});

export const fieldsFileSchema = z.strictObject({
  version: z.literal(1, 'set `version: 1`'),
  hubspot_object: z.literal('contacts'),
  salesforce_objects: z.array(z.enum(['Lead', 'Contact'])).min(1),
  fields: z.array(fieldPairSchema).min(1),
});

export const identityFileSchema = z.strictObject({
  version: z.literal(1, 'set `version: 1`'),
  match_on: z.literal('email'),
  links: z.strictObject({
    salesforce_field: z.string().min(1),
    hubspot_properties: z.strictObject({ Lead: z.string().min(1), Contact: z.string().min(1) }),
  }),
  create_in_salesforce_as: z.enum(['Lead', 'Contact']).default('Lead'),
  salesforce_defaults: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  create_in_hubspot: z.boolean().default(true),
});

export type LifecycleFile = z.infer<typeof lifecycleFileSchema>;
export type FieldsFile = z.infer<typeof fieldsFileSchema>;
export type FieldPairSpec = z.infer<typeof fieldPairSchema>;
export type IdentityFile = z.infer<typeof identityFileSchema>;
export type SyncDirection = (typeof syncDirections)[number];
export type ConflictRule = (typeof conflictRules)[number];
export type FieldType = (typeof fieldTypes)[number];
