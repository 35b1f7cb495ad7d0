/** One problem in a mapping file, located precisely enough for an admin to fix it in an editor. */
export interface MappingProblem {
  file: string;
  line: number | undefined;
  /** Dotted key path, e.g. `fields[3].conflict`. */
  path: string;
  message: string;
}

export class MappingError extends Error {
  constructor(readonly problems: MappingProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'MappingError';
  }
}

export function formatProblem(problem: MappingProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return `${where}: ${problem.path || '(file)'}: ${problem.message}`;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}
