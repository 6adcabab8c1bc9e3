/**
 * An error the auditor caused or can fix (bad argument, unknown ticket, unreadable source).
 * The command line prints its message as one line and exits with {@link USAGE_EXIT_CODE};
 * nothing of its stack reaches the terminal.
 */
export class AuditUsageError extends Error {
  override readonly name = 'AuditUsageError';
}

/** Exit status when the log was read and found altered. */
export const TAMPERED_EXIT_CODE = 1;
/** Exit status when the command could not run (bad arguments, unreadable source). */
export const USAGE_EXIT_CODE = 2;

/** One line, whatever the error: the first line of its message, never its stack. */
export const oneLine = (error: unknown): string => {
  const text = error instanceof Error ? error.message : String(error);
  const first = text.split(/\r?\n/).find((line) => line.trim().length > 0) ?? 'unknown error';
  return first.trim();
};
