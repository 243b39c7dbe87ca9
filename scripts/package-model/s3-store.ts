/**
 * The model's S3 side, on the toolkit's S3 calls (clients/typescript/src/s3.ts): object identity (HEAD + metadata),
 * verified streamed uploads, clean-up of dangling multipart uploads.
 *
 * Every object this tool writes carries its verified sha256 as user metadata (`x-amz-meta-sha256`), and
 * files the hub names by git blob id carry that too (`x-amz-meta-git-blob-oid`). An object exists only once
 * its content was verified, so metadata that matches the source means "already uploaded intact".
 */
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import { headObject, isNotFound, readObjectText, uploadStream } from "../../clients/typescript/src/s3";

/** Metadata key (without the `x-amz-meta-` prefix) holding the object's verified sha256. */
export const SHA256_METADATA_KEY = "sha256";
/** Metadata key holding the git blob id, for files the hub identifies that way. */
export const GIT_BLOB_OID_METADATA_KEY = "git-blob-oid";

/** What S3 says about an existing object. */
export interface StoredObject {
  readonly size: number;
  readonly sha256?: string;
  readonly gitBlobOid?: string;
}

/** Multipart tuning for {@link ModelStore.uploadStream}. */
export interface UploadTuning {
  /** Part size in bytes; S3 allows 5 MiB to 5 GiB. Raised automatically so a file needs at most 10,000 parts. */
  readonly partSizeBytes: number;
  /** Parts uploaded in parallel; memory use is about partSizeBytes x queueSize. */
  readonly queueSize: number;
}

const S3_MAX_PARTS = 10_000;

/**
 * The default client: region, credentials and endpoint from the standard AWS SDK chain (AWS_REGION,
 * AWS_PROFILE, AWS_ENDPOINT_URL ...). `followRegionRedirects` lets a bucket in another region still work.
 * Path-style addressing needs no flag: the S3 endpoint rules use it by themselves for an IP-address endpoint.
 */
export function defaultS3Client(): S3Client {
  return new S3Client({ followRegionRedirects: true });
}

export class ModelStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  /** The object's size and verification metadata, or undefined when there is no object at `key`. */
  async head(key: string): Promise<StoredObject | undefined> {
    const head = await headObject(this.client, { bucket: this.bucket, key });
    return (
      head && {
        size: head.ContentLength ?? -1,
        sha256: head.Metadata?.[SHA256_METADATA_KEY],
        gitBlobOid: head.Metadata?.[GIT_BLOB_OID_METADATA_KEY],
      }
    );
  }

  /**
   * Streams `body` into `key` (one PUT for a body smaller than a part, multipart otherwise). S3 only gets the
   * object when `body` ends without error; on error the multipart upload is aborted (no parts left behind).
   */
  async uploadStream(
    key: string,
    body: Readable,
    sizeBytes: number,
    metadata: Record<string, string>,
    tuning: UploadTuning,
    signal: AbortSignal,
  ): Promise<void> {
    await uploadStream(this.client, { bucket: this.bucket, key }, body, {
      contentType: contentTypeOf(key),
      metadata,
      partSizeBytes: Math.max(tuning.partSizeBytes, Math.ceil(sizeBytes / S3_MAX_PARTS)),
      queueSize: tuning.queueSize,
      signal,
    });
  }

  /** Writes a small object in one PUT. */
  async putBytes(key: string, body: Buffer, metadata: Record<string, string> = {}): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        Metadata: metadata,
        ContentType: contentTypeOf(key),
      }),
    );
  }

  /** A small object's text, or undefined when it does not exist. */
  async getText(key: string): Promise<string | undefined> {
    try {
      return await readObjectText(this.client, { bucket: this.bucket, key });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Deletes `key` (no error when it does not exist). */
  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /**
   * Aborts every multipart upload started under `prefix` and never completed (a run that was killed), so
   * their parts stop costing storage. Returns the keys of the aborted uploads.
   */
  async abortDanglingUploads(prefix: string): Promise<string[]> {
    const aborted: string[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.bucket,
          Prefix: prefix,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId) continue;
        await this.client.send(
          new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: upload.Key, UploadId: upload.UploadId }),
        );
        aborted.push(upload.Key);
      }
      if (!page.IsTruncated) return aborted;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }
}

function contentTypeOf(key: string): string {
  if (key.endsWith(".json")) return "application/json";
  if (key.endsWith(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}
