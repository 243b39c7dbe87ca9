/** What the packager needs from a model source (the Hugging Face hub or a local directory). */
import type { Readable } from "node:stream";

/** One file of the model, with the identity the source vouches for before any byte is read. */
export interface ModelFile {
  /** Path relative to the model root, e.g. `model.bin`. */
  readonly path: string;
  /** Exact size in bytes. */
  readonly size: number;
  /** Expected sha256 (lower-case hex) when known up front: hub LFS files and local files. */
  readonly sha256?: string;
  /** Expected git blob id (sha1 of `blob <size>\0` + content) of a hub file kept in git, not LFS. */
  readonly gitBlobOid?: string;
}

/** Where the source came from, as recorded in the manifest. */
export type SourceIdentity =
  | { readonly type: "huggingface"; readonly repo: string; readonly revision: string }
  | { readonly type: "local"; readonly name: string; readonly contentHash: string };

export interface ModelSource {
  readonly identity: SourceIdentity;
  /** Key path below the prefix, without slashes at either end: `<repo>/<revision>` or `local/<name>/<hash16>`. */
  readonly keyPath: string;
  /** The model's files, every one with a size and a sha256 or git blob id. */
  readonly files: readonly ModelFile[];
  /** Opens one file for reading; the stream yields its bytes exactly once. */
  open(file: ModelFile, signal: AbortSignal): Promise<Readable>;
}
