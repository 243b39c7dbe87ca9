/** The client's own failure (exit code 1); the toolkit's error kinds and exit codes are in errors.ts. */
import { CliError, ExitCode } from "./errors";

/** The endpoint (or local server) processed the job and reported an error. Exit code 1. */
export class JobFailedError extends CliError {
  override readonly name: string = "JobFailedError";
  readonly label = "transcription failed";
  readonly exitCode = ExitCode.Failed;
}
