/** Bad usage of a command (exit 2), as opposed to a runtime failure (exit 1). */
export class UsageError extends Error {
  override name = 'UsageError';
}
