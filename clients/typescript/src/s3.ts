/**
 * The S3 calls the CLIs make: URIs, "is it there" (one way to tell a missing object from an error), streamed
 * uploads with lib-storage, and reading a small object's text.
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { GetObjectCommand, HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** `s3://bucket/key` -> {bucket, key}; throws for anything else. */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`not an s3://bucket/key URI: "${uri}"`);
  return { bucket: match[1], key: match[2] };
}

export function s3Uri({ bucket, key }: S3Location): string {
  return `s3://${bucket}/${key}`;
}

/**
 * Whether an S3 error means "no such object": HTTP 404 (a HEAD has no body, so its error is only `NotFound`) or
 * `NoSuchKey`, but never a missing bucket, which must surface as the error it is.
 */
export function isNotFound(error: unknown): boolean {
  const { name, $metadata } = (error ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (name === "NoSuchBucket") return false;
  return name === "NotFound" || name === "NoSuchKey" || $metadata?.httpStatusCode === 404;
}

/** The object's metadata, or undefined when there is no object at `location`; other errors surface. */
export async function headObject(
  s3: S3Client,
  location: S3Location,
  signal?: AbortSignal,
): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }), {
      abortSignal: signal,
    });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Whether the object exists: false for "not yet"; a 403 gets a hint, because S3 also answers 403 for a missing
 * object when the caller lacks s3:ListBucket.
 */
export async function objectExists(s3: S3Client, location: S3Location, signal?: AbortSignal): Promise<boolean> {
  try {
    return (await headObject(s3, location, signal)) !== undefined;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
      throw new Error(
        `access denied checking ${s3Uri(location)}: the caller needs s3:GetObject and s3:ListBucket on the bucket`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** How {@link uploadStream} sends a body. Absent fields take lib-storage's defaults (5 MiB parts, 4 in parallel). */
export interface UploadOptions {
  readonly contentType: string;
  /** User metadata (`x-amz-meta-*`). */
  readonly metadata?: Record<string, string>;
  readonly partSizeBytes?: number;
  readonly queueSize?: number;
  /** Called with the bytes sent so far (and the total, when known). */
  readonly onProgress?: (loadedBytes: number, totalBytes?: number) => void;
  /** Aborts the upload, a multipart upload's parts included. */
  readonly signal?: AbortSignal;
}

/**
 * Streams `body` to `target` with lib-storage: one PUT for a body smaller than a part, multipart (parts in parallel)
 * otherwise. S3 only gets the object when `body` ends without error; on error or abort the multipart upload is
 * aborted, so no parts are left behind.
 */
export async function uploadStream(
  s3: S3Client,
  target: S3Location,
  body: Readable,
  options: UploadOptions,
): Promise<void> {
  const abortController = new AbortController();
  const { signal } = options;
  const onAbort = () => abortController.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const upload = new Upload({
      client: s3,
      params: {
        Bucket: target.bucket,
        Key: target.key,
        Body: body,
        ContentType: options.contentType,
        ...(options.metadata ? { Metadata: options.metadata } : {}),
      },
      ...(options.partSizeBytes ? { partSize: options.partSizeBytes } : {}),
      ...(options.queueSize ? { queueSize: options.queueSize } : {}),
      leavePartsOnError: false,
      abortController,
    });
    upload.on("httpUploadProgress", (progress) => options.onProgress?.(progress.loaded ?? 0, progress.total));
    await upload.done();
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Uploads a file, streamed from disk so hour-long recordings do not sit in memory. */
export function uploadFile(s3: S3Client, file: string, target: S3Location, options: UploadOptions): Promise<void> {
  return uploadStream(s3, target, createReadStream(file), options);
}

/** The object's body as UTF-8 text (results, failures, manifests); `signal` aborts the request and the read. */
export async function readObjectText(s3: S3Client, location: S3Location, signal?: AbortSignal): Promise<string> {
  const response = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }), {
    abortSignal: signal,
  });
  if (!response.Body) throw new Error(`${s3Uri(location)} has no body`);
  return response.Body.transformToString("utf-8");
}
