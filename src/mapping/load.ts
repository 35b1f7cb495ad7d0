/**
 * Reads the mapping files and validates them: first each file against its zod schema, then the
 * references between files (a qualification rule naming a canonical field that does not exist, …).
 * Every problem is reported with file, line and key path; nothing is half-loaded.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { compileMappings, type MappingConfig } from './compile.js';
import { formatPath, MappingError, type MappingProblem } from './mapping-error.js';
import { fieldsFileSchema, identityFileSchema, lifecycleFileSchema } from './schema.js';

export const mappingFileNames = {
  lifecycle: 'lifecycle.yaml',
  fields: 'contact-fields.yaml',
  identity: 'identity.yaml',
} as const;

/** A parsed file plus a way to find the line of any key path in it. */
export interface LocatedFile<T> {
  file: string;
  data: T;
  lineOf(path: ReadonlyArray<PropertyKey>): number | undefined;
}

export async function loadMappings(dir: string): Promise<MappingConfig> {
  const problems: MappingProblem[] = [];
  const lifecycle = await readValidated(join(dir, mappingFileNames.lifecycle), lifecycleFileSchema, problems);
  const fields = await readValidated(join(dir, mappingFileNames.fields), fieldsFileSchema, problems);
  const identity = await readValidated(join(dir, mappingFileNames.identity), identityFileSchema, problems);
  if (!lifecycle || !fields || !identity) throw new MappingError(problems);
  return compileMappings({ lifecycle, fields, identity });
}

async function readValidated<S extends z.ZodType>(
  file: string,
  schema: S,
  problems: MappingProblem[],
): Promise<LocatedFile<z.infer<S>> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    problems.push({
      file,
      line: undefined,
      path: '',
      message: `${reason}; copy the default from the repository's mappings/ folder or set LOCKSTEP_MAPPINGS_DIR`,
    });
    return undefined;
  }
  return parseLocated(file, text, schema, problems);
}

export function parseLocated<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
  problems: MappingProblem[],
): LocatedFile<z.infer<S>> | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      problems.push({
        file,
        line: error.linePos?.[0]?.line,
        path: '',
        message: `YAML syntax error: ${error.message.split('\n')[0]}; check indentation and quoting`,
      });
    }
    return undefined;
  }
  const lineOf = (path: ReadonlyArray<PropertyKey>): number | undefined => {
    // Walk up the path until a node exists: a missing key is reported at its parent.
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = doc.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({
        file,
        line: lineOf(issue.path),
        path: formatPath(issue.path),
        message: explainIssue(issue),
      });
    }
    return undefined;
  }
  return { file, data: parsed.data, lineOf };
}

function explainIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `${issue.message}; allowed: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove it or check its spelling`;
    case 'invalid_type':
      return issue.input === undefined
        ? `missing; add this key (${issue.expected})`
        : `expected ${issue.expected}`;
    default:
      return issue.message;
  }
}
