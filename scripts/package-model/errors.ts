/**
 * The packaging failures (exit code 1). Bad flags or environment are the toolkit's UsageError (exit code 2, see
 * clients/typescript/src/errors.ts).
 */

/** The model could not be packaged (hub, S3 or integrity failure). Exit code 1. */
export class PackageError extends Error {
  override readonly name: string = "PackageError";
}

/** Bytes read from the source do not match the size or hash the source announced. Exit code 1. */
export class IntegrityError extends PackageError {
  override readonly name = "IntegrityError";
}
