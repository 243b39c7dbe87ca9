/**
 * The client's own failure (exit code 1), plus the toolkit's error kinds the client modules use (see
 * scripts/cli-kit/errors.ts for the exit codes).
 */
import { CliError, ExitCode } from "../cli-kit/errors";

// options.ts and formats.ts import these from here.
export { UsageError } from "../cli-kit/errors";

/** The endpoint (or local server) processed the job and reported an error. Exit code 1. */
export class JobFailedError extends CliError {
  override readonly name: string = "JobFailedError";
  readonly label = "transcription failed";
  readonly exitCode = ExitCode.Failed;
}
