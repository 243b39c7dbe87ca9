/**
 * Error types whose class decides the CLI's exit code: a {@link UsageError} exits 2 (bad flags or
 * environment, nothing was attempted), a {@link PackageError} exits 1 (the packaging itself failed).
 */

/** Bad command line or environment; the message names the flag or variable at fault. Exit code 2. */
export class UsageError extends Error {
  override readonly name: string = "UsageError";
}

/** The model could not be packaged (hub, S3 or integrity failure). Exit code 1. */
export class PackageError extends Error {
  override readonly name: string = "PackageError";
}

/** Bytes read from the source do not match the size or hash the source announced. Exit code 1. */
export class IntegrityError extends PackageError {
  override readonly name = "IntegrityError";
}

/** The message of anything thrown, for one-line reports. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
