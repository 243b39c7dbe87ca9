/**
 * Error kinds the CLIs map to exit codes, so callers (CI jobs, shell loops) can tell a bad invocation or a
 * timeout (2) from a transcription the endpoint rejected (1).
 */

/** The process exit codes every CLI here uses. */
export const ExitCode = {
  /** Done: every job produced a result. */
  Ok: 0,
  /** A job failed: the endpoint wrote a failure, the server answered with an error, or AWS refused a call. */
  JobFailed: 1,
  /** Usage error (bad flag, missing file) or a wait that ran past `--timeout`. */
  UsageOrTimeout: 2,
} as const;

/** Bad or missing command-line input; the message names the option. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The endpoint (or local server) processed the job and reported an error. */
export class JobFailedError extends Error {
  override name = "JobFailedError";
}

/** The overall wait ran out before a result or a failure appeared; the message says what is known. */
export class WaitTimeoutError extends Error {
  override name = "WaitTimeoutError";
}

/** Exit code for an error thrown by a CLI: usage and timeouts are 2, everything else is a failed job (1). */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof WaitTimeoutError) return ExitCode.UsageOrTimeout;
  return ExitCode.JobFailed;
}

/** The message of anything thrown, for one-line reports. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
