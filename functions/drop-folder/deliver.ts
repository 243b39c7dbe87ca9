/**
 * The deliver function: SageMaker's notification of a drop-folder inference -> every configured rendering of the
 * one transcript, written next to the recording's relative path under the results prefix, or its error file.
 */
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Claim } from "./claims";
import { inferenceNotifications, type InferenceNotification } from "./events";
import { claimKey, CONTENT_TYPES, errorKey, INFERENCE_ID_PREFIX, parseS3Uri, resultKey, type Format } from "./layout";
import { deleteObject, readText, statusOf, writeErrorFile, writeObject, type ErrorFile } from "./objects";
import { OPTIONS_METADATA_KEY } from "./options";
import { loadSettings, type DropFolderSettings } from "./settings";

export interface DeliverClients {
  readonly s3: S3Client;
}

/** What became of one notification. */
export type DeliverOutcome =
  | { readonly outcome: "delivered"; readonly keys: string[] }
  | { readonly outcome: "failed"; readonly errorKey: string; readonly error: string }
  | { readonly outcome: "ignored"; readonly reason: string };

/**
 * Whether the recording was replaced (other bytes or other options metadata) since `claim` was made: then the
 * newer version's results are the ones to keep. A deleted recording still gets its transcript.
 */
async function superseded(s3: S3Client, bucket: string, claim: Claim): Promise<boolean> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: claim.recording }));
    return (
      head.ETag?.replace(/"/g, "") !== claim.eTag || head.Metadata?.[OPTIONS_METADATA_KEY] !== claim.metadataOptions
    );
  } catch (error) {
    // 404, or 403 without s3:ListBucket (not granted): the recording was deleted.
    if (statusOf(error) === 404 || statusOf(error) === 403) return false;
    throw error;
  }
}

/** The text of an S3 object the notification points to, which must be in the stack's bucket. */
async function readLocation(s3: S3Client, settings: DropFolderSettings, uri: string): Promise<string | undefined> {
  const { bucket, key } = parseS3Uri(uri);
  if (bucket !== settings.bucket) throw new Error(`${uri} is outside the stack's bucket ${settings.bucket}`);
  return readText(s3, bucket, key);
}

/** The renderings in the server's response, checked to hold every configured format. */
function renderingsOf(body: string, formats: readonly Format[], where: string): Record<Format, unknown> {
  const renderings = JSON.parse(body) as Record<string, unknown>;
  const missing = formats.filter((format) =>
    format === "json" ? typeof renderings[format] !== "object" : typeof renderings[format] !== "string",
  );
  if (missing.length > 0) throw new Error(`the response at ${where} has no ${missing.join(", ")} rendering`);
  return renderings as Record<Format, unknown>;
}

/** The error file's code and message from the failure object the server's answer became, else SageMaker's reason. */
function failureOf(
  notification: InferenceNotification,
  body: string | undefined,
): Pick<ErrorFile, "error" | "message"> {
  try {
    const parsed = JSON.parse(body ?? "");
    if (typeof parsed?.error === "string" && typeof parsed?.message === "string") {
      return { error: parsed.error, message: parsed.message };
    }
  } catch {
    // not the server's JSON error: fall back to SageMaker's words
  }
  return {
    error: "inference_failed",
    message: notification.failureReason ?? "the endpoint reported a failure without a reason",
  };
}

/** Delivers one notification; throws (so Lambda retries, then the dead-letter queue) on what may pass. */
export async function deliverResult(
  clients: DeliverClients,
  settings: DropFolderSettings,
  notification: InferenceNotification,
): Promise<DeliverOutcome> {
  const { s3 } = clients;
  if (!notification.inferenceId.startsWith(INFERENCE_ID_PREFIX)) {
    return { outcome: "ignored", reason: "not a drop-folder inference" };
  }
  const claimText = await readText(s3, settings.bucket, claimKey(settings, notification.inferenceId));
  if (claimText === undefined) return { outcome: "ignored", reason: "no claim (expired, or not this stack's)" };
  const claim = JSON.parse(claimText) as Claim;
  if (await superseded(s3, settings.bucket, claim)) {
    return { outcome: "ignored", reason: "the recording was replaced since; its new version is transcribed" };
  }
  const errorFile = errorKey(settings, claim.recording);

  if (notification.completed) {
    if (!notification.outputLocation) throw new Error(`notification ${notification.inferenceId} has no outputLocation`);
    const body = await readLocation(s3, settings, notification.outputLocation);
    if (body === undefined) throw new Error(`no response at ${notification.outputLocation} (yet)`);
    const renderings = renderingsOf(body, settings.formats, notification.outputLocation);
    const keys: string[] = [];
    for (const format of settings.formats) {
      const key = resultKey(settings, claim.recording, format);
      const value = renderings[format];
      const text = typeof value === "string" ? value : JSON.stringify(value, null, 2) + "\n";
      await writeObject(s3, settings.bucket, key, text, CONTENT_TYPES[format]);
      keys.push(key);
    }
    await deleteObject(s3, settings.bucket, errorFile); // an earlier version's failure no longer holds
    return { outcome: "delivered", keys };
  }

  const body = notification.failureLocation
    ? await readLocation(s3, settings, notification.failureLocation)
    : undefined;
  const failure = failureOf(notification, body);
  await writeErrorFile(s3, settings.bucket, errorFile, {
    recording: claim.recording,
    ...failure,
    inferenceId: notification.inferenceId,
    failureReason: notification.failureReason,
  });
  return { outcome: "failed", errorKey: errorFile, error: failure.error };
}

let defaultClients: DeliverClients | undefined;

/** Lambda entry point (SNS subscription to the success and error topics). */
export async function handler(event: unknown): Promise<DeliverOutcome[]> {
  const settings = loadSettings();
  defaultClients ??= { s3: new S3Client({}) };
  const outcomes: DeliverOutcome[] = [];
  for (const notification of inferenceNotifications(event)) {
    const outcome = await deliverResult(defaultClients, settings, notification);
    console.log(JSON.stringify({ inferenceId: notification.inferenceId, ...outcome }));
    outcomes.push(outcome);
  }
  return outcomes;
}
