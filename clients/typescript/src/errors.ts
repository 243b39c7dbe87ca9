/**
 * The exit codes every CLI here uses, and the error kinds that choose them, so callers (CI jobs, shell loops,
 * Pulumi's command resource) can tell a bad invocation or a timeout (2) from work that failed (1).
 */

/** The process exit codes of every CLI in scripts/. */
export const ExitCode = {
  /** Done: every job produced a result. */
  Ok: 0,
  /** The work failed: the endpoint wrote a failure, a server answered with an error, or AWS refused a call. */
  Failed: 1,
  /** Usage error (bad flag, missing file) or a wait that ran past its deadline. */
  UsageOrTimeout: 2,
  /** Stopped by SIGINT (128 + 2); package-model also returns it for SIGTERM, as its docs say. */
  Interrupted: 130,
} as const;

/**
 * An error whose class says how a CLI ends: `label` starts the one-line report on stderr, `exitCode` is the
 * process's status. Anything else thrown is reported as "error" and exits {@link ExitCode.Failed}.
 */
export abstract class CliError extends Error {
  abstract readonly label: string;
  abstract readonly exitCode: number;
}

/** Bad or missing command-line input or environment; the message names the option or variable. Exit code 2. */
export class UsageError extends CliError {
  override readonly name: string = "UsageError";
  readonly label = "usage error";
  readonly exitCode = ExitCode.UsageOrTimeout;
}

/** An overall wait ran out before a result or a failure appeared; the message says what is known. Exit code 2. */
export class WaitTimeoutError extends CliError {
  override readonly name: string = "WaitTimeoutError";
  readonly label = "timed out";
  readonly exitCode = ExitCode.UsageOrTimeout;
}

/** Exit code for an error thrown by a CLI: its own for a {@link CliError}, else 1. */
export function exitCodeFor(error: unknown): number {
  return error instanceof CliError ? error.exitCode : ExitCode.Failed;
}

/** The message of anything thrown, for one-line reports. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The message followed by its cause's (`cannot reach https://hub: fetch failed`), for errors that wrap a lower-level
 * one without repeating its text.
 */
export function messageWithCause(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${messageOf(error)}${cause}`;
}
