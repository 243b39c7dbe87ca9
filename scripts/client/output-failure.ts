/**
 * Write errors that no later file of a batch can escape: the output is on a read-only file system, the device or
 * the quota is full, or writing there is not allowed. Every job sent after one of them is transcribed (and, against
 * the endpoint, billed) only for its result to be lost, so the batch stops sending.
 */

/** errno codes of a result write that stop the batch, and what each says about the output directory. */
export const STOPPING_WRITE_ERRORS: Readonly<Record<string, string>> = {
  EROFS: "the output directory is on a read-only file system",
  ENOSPC: "no space is left on the output device",
  EDQUOT: "the disk quota of the output directory is used up",
  EACCES: "writing to the output directory is not permitted",
  EPERM: "writing to the output directory is not permitted",
};

/** Why the batch must stop after `error` from writing a result, or undefined when only that file failed. */
export function stoppingReason(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !(code in STOPPING_WRITE_ERRORS)) return undefined;
  return `${STOPPING_WRITE_ERRORS[code]} (${code})`;
}
