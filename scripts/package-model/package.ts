/**
 * Packages a model source into `s3://<bucket>/<prefix><keyPath>/`, idempotently and verifiably:
 *
 * 1. Abort multipart uploads left under the model prefix by an interrupted run (their parts are useless).
 * 2. HEAD every file; one whose size and metadata match the source is intact and skipped.
 * 3. If anything must be uploaded, delete the manifest first, so a failure below cannot leave an old
 *    manifest vouching for a prefix that is no longer complete.
 * 4. Upload the missing files, smallest first (a failure on the big model.bin leaves the small ones done),
 *    each verified while it streams; a file that fails verification never becomes an S3 object.
 * 5. Write the manifest last (only if its content changed), then report the prefix URI.
 */
import { S3ServiceException, type S3Client } from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream";
import { messageWithCause } from "../../clients/typescript/src/errors";
import { TransferProgress } from "../cli-kit/progress";
import { IntegrityError, PackageError } from "./errors";
import { VerifyingStream } from "./integrity";
import { manifestKeyFor, renderManifest, type ManifestFile } from "./manifest";
import {
  GIT_BLOB_OID_METADATA_KEY,
  ModelStore,
  SHA256_METADATA_KEY,
  type StoredObject,
  type UploadTuning,
} from "./s3-store";
import type { ModelFile, ModelSource } from "./source";

/** Largest file read into memory to learn its sha256 before a single PUT (hub files kept in git, not LFS). */
export const MAX_IN_MEMORY_FILE_BYTES = 64 * 1024 * 1024;

export interface PackageRequest {
  readonly source: ModelSource;
  readonly s3: S3Client;
  readonly bucket: string;
  /** Key prefix, "" or ending in "/", e.g. `models/`. */
  readonly prefix: string;
  readonly tuning: UploadTuning;
  /** Receives log and progress lines (the CLI sends them to stderr). */
  readonly log: (line: string) => void;
  /** Minimum time between two progress lines of one file; see cli-kit/progress.ts for the default. */
  readonly progressIntervalMs?: number;
  /** Aborts the run (SIGINT/SIGTERM); in-flight multipart uploads are aborted too. */
  readonly signal?: AbortSignal;
}

export interface PackageResult {
  /** `s3://<bucket>/<prefix><keyPath>/` */
  readonly uri: string;
  /** Paths uploaded by this run. */
  readonly uploaded: readonly string[];
  /** Paths found intact in S3 and left alone. */
  readonly skipped: readonly string[];
  /** Whether this run (re)wrote the manifest. */
  readonly manifestWritten: boolean;
}

export async function packageModel(request: PackageRequest): Promise<PackageResult> {
  const { source, bucket, log } = request;
  const signal = request.signal ?? new AbortController().signal;
  const store = new ModelStore(request.s3, bucket);
  const modelPrefix = `${request.prefix}${source.keyPath}/`;
  const uri = `s3://${bucket}/${modelPrefix}`;
  const manifestKey = manifestKeyFor(modelPrefix);

  return withS3Context(bucket, async () => {
    for (const key of await store.abortDanglingUploads(modelPrefix)) {
      log(`aborted an unfinished multipart upload of s3://${bucket}/${key} (left by an interrupted run)`);
    }

    const verified: ManifestFile[] = [];
    const skipped: string[] = [];
    const pending: ModelFile[] = [];
    for (const file of [...source.files].sort((a, b) => a.size - b.size || a.path.localeCompare(b.path))) {
      const stored = await store.head(modelPrefix + file.path);
      const sha256 = stored && intactSha256(file, stored);
      if (sha256) {
        log(`skip ${file.path}: already in S3 with matching size and sha256 ${sha256}`);
        verified.push({ path: file.path, size: file.size, sha256 });
        skipped.push(file.path);
      } else {
        if (stored) log(`replace ${file.path}: the object in S3 does not match the source`);
        pending.push(file);
      }
    }

    if (pending.length > 0) await store.delete(manifestKey);
    for (const file of pending) {
      signal.throwIfAborted();
      const sha256 = await uploadFile(store, source, file, modelPrefix + file.path, request, signal);
      verified.push({ path: file.path, size: file.size, sha256 });
    }

    const manifest = renderManifest(source.identity, uri, verified);
    const manifestWritten = (await store.getText(manifestKey)) !== manifest;
    if (manifestWritten) await store.putBytes(manifestKey, Buffer.from(manifest));
    log(
      `complete: ${uri} (${pending.length} uploaded, ${skipped.length} already present; ` +
        `manifest s3://${bucket}/${manifestKey})`,
    );
    return { uri, uploaded: pending.map((file) => file.path), skipped, manifestWritten };
  });
}

/** The stored object's sha256 when it provably holds `file`'s content, else undefined. */
function intactSha256(file: ModelFile, stored: StoredObject): string | undefined {
  if (stored.size !== file.size || !stored.sha256) return undefined;
  if (file.sha256) return stored.sha256 === file.sha256 ? stored.sha256 : undefined;
  return file.gitBlobOid && stored.gitBlobOid === file.gitBlobOid ? stored.sha256 : undefined;
}

/** Uploads one file, verified on the way; returns its sha256. */
async function uploadFile(
  store: ModelStore,
  source: ModelSource,
  file: ModelFile,
  key: string,
  request: PackageRequest,
  signal: AbortSignal,
): Promise<string> {
  if (!file.sha256 && file.size > MAX_IN_MEMORY_FILE_BYTES) {
    throw new PackageError(
      `${file.path} is ${file.size} bytes but the source gives no sha256 for it (a file kept in git, not LFS); ` +
        `files without a sha256 are limited to ${MAX_IN_MEMORY_FILE_BYTES} bytes`,
    );
  }
  const progress = new TransferProgress(request.log, file.path, file.size, request.progressIntervalMs);
  const verifier = new VerifyingStream(file, (bytes) => progress.update(bytes));
  const download = await source.open(file, signal);
  // Errors of the download reach the verifier (and so the upload); this callback only has to exist.
  pipeline(download, verifier, () => undefined);
  try {
    if (file.sha256) {
      // The sha256 is known up front, so it can be the object's metadata from the start: the object only
      // comes into existence (PutObject / CompleteMultipartUpload) once the stream verified to the end.
      await store.uploadStream(key, verifier, file.size, metadataFor(file, file.sha256), request.tuning, signal);
    } else {
      // Only a git blob id is known (a small file kept in git): verify in memory, then PUT with the sha256.
      const content = await readVerified(verifier);
      await store.putBytes(key, content, metadataFor(file, verifier.sha256 as string));
    }
  } catch (error) {
    download.destroy();
    verifier.destroy();
    if (error instanceof IntegrityError) throw error;
    if (signal.aborted) throw new PackageError(`interrupted while uploading ${file.path}`, { cause: error });
    if (verifier.bytes < file.size && !(error instanceof S3ServiceException)) {
      throw new PackageError(
        `reading ${file.path} failed after ${verifier.bytes} of ${file.size} bytes: ${messageWithCause(error)}`,
      );
    }
    throw error;
  }
  const sha256 = verifier.sha256;
  if (!sha256) throw new PackageError(`${file.path}: upload finished but the stream was never verified`);
  const stored = await store.head(key);
  if (!stored || stored.size !== file.size || stored.sha256 !== sha256) {
    await store.delete(key);
    const seen = stored ? `${stored.size} bytes, sha256 ${stored.sha256 ?? "none"}` : "no object";
    throw new IntegrityError(
      `after uploading ${file.path}, S3 reports ${seen} (expected ${file.size} bytes, sha256 ${sha256}); deleted it`,
    );
  }
  progress.finish("uploaded");
  return sha256;
}

function metadataFor(file: ModelFile, sha256: string): Record<string, string> {
  return file.gitBlobOid
    ? { [SHA256_METADATA_KEY]: sha256, [GIT_BLOB_OID_METADATA_KEY]: file.gitBlobOid }
    : { [SHA256_METADATA_KEY]: sha256 };
}

async function readVerified(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Rewrites the S3 errors a user can fix into messages that say what to check. */
async function withS3Context<T>(bucket: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof S3ServiceException) {
      if (error.name === "NoSuchBucket") {
        throw new PackageError(`S3 bucket ${bucket} does not exist (check --bucket and AWS_REGION)`);
      }
      if (error.name === "AccessDenied" || error.$metadata.httpStatusCode === 403) {
        throw new PackageError(`S3 denied access to bucket ${bucket}: ${error.message} (check the AWS credentials)`);
      }
      throw new PackageError(`S3 request failed: ${error.name}: ${error.message}`);
    }
    if (error instanceof Error && error.name === "CredentialsProviderError") {
      throw new PackageError(`no AWS credentials found: ${error.message}`);
    }
    if (error instanceof Error && /region is missing/i.test(error.message)) {
      throw new PackageError("no AWS region configured: set AWS_REGION (or a region in the AWS profile)");
    }
    throw error;
  }
}
