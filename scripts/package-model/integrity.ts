/**
 * Verifies a file while it streams: counts bytes and computes its sha256 (and, where the source names the
 * file by git blob id, that sha1 too), failing the stream BEFORE it ends when anything disagrees. Because an
 * S3 upload only completes after its body ended cleanly, a bad file never becomes an S3 object.
 */
import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { IntegrityError } from "./errors";
import type { ModelFile } from "./source";

/** Git's blob id of `content`: sha1 over `blob <size>\0` followed by the bytes. */
export function gitBlobOid(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

/** A pass-through that checks the bytes flowing through it against `file`'s announced size and hashes. */
export class VerifyingStream extends Transform {
  /** Bytes seen so far. */
  bytes = 0;
  /** The sha256 of the content, set once the stream has verified successfully. */
  sha256: string | undefined;
  private readonly sha256Hash: Hash = createHash("sha256");
  private readonly gitHash: Hash | undefined;

  /**
   * @param file the expected identity; at least one of `sha256` or `gitBlobOid` must be set.
   * @param onBytes called with the running byte count after each chunk (progress reporting).
   */
  constructor(
    private readonly file: ModelFile,
    private readonly onBytes: (bytes: number) => void = () => undefined,
  ) {
    super();
    if (!file.sha256 && !file.gitBlobOid) {
      throw new Error(`${file.path}: the source gave neither a sha256 nor a git blob id to verify against`);
    }
    // The git header needs the size up front; a wrong size fails the byte count check anyway.
    this.gitHash = file.gitBlobOid ? createHash("sha1").update(`blob ${file.size}\0`) : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.file.size) {
      callback(this.mismatch(`more than the expected ${this.file.size} bytes`));
      return;
    }
    this.sha256Hash.update(chunk);
    this.gitHash?.update(chunk);
    this.onBytes(this.bytes);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.bytes !== this.file.size) {
      callback(this.mismatch(`${this.bytes} bytes, expected ${this.file.size}`));
      return;
    }
    const sha256 = this.sha256Hash.digest("hex");
    if (this.file.sha256 && sha256 !== this.file.sha256) {
      callback(this.mismatch(`sha256 ${sha256}, expected ${this.file.sha256}`));
      return;
    }
    const gitOid = this.gitHash?.digest("hex");
    if (this.file.gitBlobOid && gitOid !== this.file.gitBlobOid) {
      callback(this.mismatch(`git blob id ${gitOid}, expected ${this.file.gitBlobOid}`));
      return;
    }
    this.sha256 = sha256;
    callback();
  }

  private mismatch(detail: string): IntegrityError {
    return new IntegrityError(`integrity check failed for ${this.file.path}: got ${detail}`);
  }
}
