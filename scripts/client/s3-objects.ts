/** S3 helpers for the async flow: URIs, multipart upload, "is it there yet", and reading a result. */
import { createReadStream } from "node:fs";
import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
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
 * Uploads a file with lib-storage (multipart above 5 MiB, parts in parallel), reporting the bytes sent.
 * Streams from disk, so hour-long recordings do not sit in memory. `signal` aborts the upload (and a multipart
 * upload's parts).
 */
export async function uploadFile(
  s3: S3Client,
  file: string,
  target: S3Location,
  contentType: string,
  onProgress?: (loadedBytes: number, totalBytes?: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const abortController = new AbortController();
  signal?.addEventListener("abort", () => abortController.abort(signal.reason), { once: true });
  const upload = new Upload({
    client: s3,
    params: { Bucket: target.bucket, Key: target.key, Body: createReadStream(file), ContentType: contentType },
    abortController,
  });
  upload.on("httpUploadProgress", (progress) => onProgress?.(progress.loaded ?? 0, progress.total));
  await upload.done();
}

function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/**
 * Whether the object exists. 404 means "not yet" (false); any other error surfaces, with a hint for 403,
 * which S3 also answers for a missing object when the caller lacks s3:ListBucket.
 */
export async function objectExists(s3: S3Client, location: S3Location, signal?: AbortSignal): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }), { abortSignal: signal });
    return true;
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === 404) return false;
    if (status === 403) {
      throw new Error(
        `access denied checking ${s3Uri(location)}: the caller needs s3:GetObject and s3:ListBucket on the bucket`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** The object's body as UTF-8 text (results and failures are text); `signal` aborts the request and the read. */
export async function readObjectText(s3: S3Client, location: S3Location, signal?: AbortSignal): Promise<string> {
  const response = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }), {
    abortSignal: signal,
  });
  if (!response.Body) throw new Error(`${s3Uri(location)} has no body`);
  return response.Body.transformToString("utf-8");
}
