/** The few S3 calls the functions share, with S3's answers they act on turned into plain values. */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/** HTTP status of an SDK error (S3 answers 404, 412 ...), or undefined for a network error. */
export function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** The object's text, or undefined when there is none at `key`. */
export async function readText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await response.Body!.transformToString("utf-8");
  } catch (error) {
    // Without s3:ListBucket (the functions are not granted it) S3 answers 403 for a missing key.
    if (statusOf(error) === 404 || statusOf(error) === 403) return undefined;
    throw error;
  }
}

/** Writes one whole object in one PutObject: readers see the old object or the new one, never a part. */
export async function writeObject(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string,
  contentType: string,
): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

/** Deletes `key`; nothing there is fine (S3 answers a delete of a missing key with success). */
export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** What an error file holds: the server's (or the drop folder's) code and message, and what it is about. */
export interface ErrorFile {
  /** The recording's key, e.g. `drop/team/talk.mp3`. */
  readonly recording: string;
  /** A server error code (contract/server-contract.json), or `inference_failed` when SageMaker gave none. */
  readonly error: string;
  readonly message: string;
  /** The inference, when the recording was submitted. */
  readonly inferenceId?: string;
  /** SageMaker's own words on the failure, when it gave some. */
  readonly failureReason?: string;
}

export async function writeErrorFile(s3: S3Client, bucket: string, key: string, content: ErrorFile): Promise<void> {
  await writeObject(s3, bucket, key, JSON.stringify(content, null, 2) + "\n", "application/json");
}
