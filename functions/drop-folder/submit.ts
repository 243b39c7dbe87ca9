/**
 * The submit function: an object created under the drop prefix is submitted to the asynchronous endpoint once per
 * version (bytes and options), with the object itself as the input. What cannot be submitted gets its error file at
 * once, without waking the endpoint.
 */
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  type HeadObjectCommandOutput,
} from "@aws-sdk/client-s3";
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import serverContract from "../../contract/server-contract.json";
import { checkSize, notAudioReason, RecordingRefused, SNIFF_BYTES } from "./content-check";
import { markSubmitted, takeClaim, type Claim } from "./claims";
import { createdObjects, type CreatedObject } from "./events";
import { claimKey, errorKey, inferenceIdOf, inputKeyFor } from "./layout";
import { deleteObject, statusOf, writeErrorFile } from "./objects";
import { mergeOptions, OptionsError, OPTIONS_METADATA_KEY } from "./options";
import { loadSettings, type DropFolderSettings } from "./settings";

/** How long the container may work on one recording: SageMaker's maximum (its default, 900 s, cuts long ones). */
export const INVOCATION_TIMEOUT_SECONDS = 3600;

export interface SubmitClients {
  readonly s3: S3Client;
  readonly sagemaker: SageMakerRuntimeClient;
}

/** What became of one created object. */
export type SubmitOutcome =
  | { readonly outcome: "submitted"; readonly inferenceId: string; readonly outputLocation?: string }
  | { readonly outcome: "duplicate"; readonly inferenceId: string }
  | { readonly outcome: "refused"; readonly error: string; readonly errorKey: string }
  | { readonly outcome: "skipped"; readonly reason: string };

/** The object's head, as it was when the event was sent; undefined once it was replaced or deleted. */
async function headOfVersion(s3: S3Client, bucket: string, object: CreatedObject) {
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: object.key, IfMatch: `"${object.eTag}"` }));
  } catch (error) {
    // 412: replaced since (its own event follows). 404, or 403 without s3:ListBucket: deleted since.
    if ([412, 404, 403].includes(statusOf(error) ?? 0)) return undefined;
    throw error;
  }
}

/** Refuses what the endpoint could only fail on: a bad size, options that cannot be sent, a head that is no audio. */
async function optionsOrRefuse(
  s3: S3Client,
  settings: DropFolderSettings,
  object: CreatedObject,
  head: HeadObjectCommandOutput,
): Promise<string> {
  checkSize(head.ContentLength ?? object.size);
  const options = mergeOptions(settings.defaultOptions, head.Metadata?.[OPTIONS_METADATA_KEY]);
  const start = await s3.send(
    new GetObjectCommand({
      Bucket: settings.bucket,
      Key: object.key,
      IfMatch: `"${object.eTag}"`,
      Range: `bytes=0-${SNIFF_BYTES - 1}`,
    }),
  );
  const reason = notAudioReason(await start.Body!.transformToByteArray());
  if (reason) {
    throw new RecordingRefused(
      "unsupported_media",
      `the recording is not audio or video (${reason}); drop an audio or video file`,
    );
  }
  return options;
}

/**
 * Submits one created object, once per version (claims.ts): the delivery of its event that takes the claim invokes
 * the endpoint; a repeat finds the claim submitted and does nothing. If the invocation fails, the claim is taken
 * back so that the retry submits. Throws `ClaimInProgress` while another delivery may be submitting it (Lambda
 * retries the event later).
 */
export async function submitRecording(
  clients: SubmitClients,
  settings: DropFolderSettings,
  object: CreatedObject,
): Promise<SubmitOutcome> {
  if (!object.key.startsWith(settings.dropPrefix)) return { outcome: "skipped", reason: "not under the drop prefix" };
  if (object.key.endsWith("/")) return { outcome: "skipped", reason: "a folder marker" };
  const head = await headOfVersion(clients.s3, settings.bucket, object);
  if (head === undefined) return { outcome: "skipped", reason: "replaced or deleted since the event" };

  let options: string;
  try {
    options = await optionsOrRefuse(clients.s3, settings, object, head);
  } catch (error) {
    if (!(error instanceof RecordingRefused || error instanceof OptionsError)) throw error;
    const key = errorKey(settings, object.key);
    await writeErrorFile(clients.s3, settings.bucket, key, {
      recording: object.key,
      error: error.code,
      message: error.message,
    });
    return { outcome: "refused", error: error.code, errorKey: key };
  }

  const inferenceId = inferenceIdOf(object.key, object.eTag, options);
  const claim: Claim = {
    recording: object.key,
    eTag: object.eTag,
    metadataOptions: head.Metadata?.[OPTIONS_METADATA_KEY],
    options,
    claimedAt: new Date().toISOString(),
  };
  const claimed = claimKey(settings, inferenceId);
  if (!(await takeClaim(clients.s3, settings.bucket, claimed, claim))) return { outcome: "duplicate", inferenceId };
  let outputLocation: string | undefined;
  try {
    const inputKey = inputKeyFor(settings, object.key, inferenceId);
    if (inputKey !== object.key) {
      await clients.s3.send(
        new CopyObjectCommand({
          Bucket: settings.bucket,
          Key: inputKey,
          CopySource: `${settings.bucket}/${encodeURIComponent(object.key)}`,
          CopySourceIfMatch: `"${object.eTag}"`,
        }),
      );
    }
    const response = await clients.sagemaker.send(
      new InvokeEndpointAsyncCommand({
        EndpointName: settings.endpointName,
        InputLocation: `s3://${settings.bucket}/${inputKey}`,
        InferenceId: inferenceId,
        ContentType: head.ContentType || "application/octet-stream",
        Accept: serverContract.renderings.mediaType,
        CustomAttributes: options || undefined,
        InvocationTimeoutSeconds: INVOCATION_TIMEOUT_SECONDS,
      }),
    );
    outputLocation = response.OutputLocation;
  } catch (error) {
    await deleteObject(clients.s3, settings.bucket, claimed);
    throw error;
  }
  // A failure here leaves the claim unsubmitted: a retry takes it over once stale and submits again (at most one
  // extra transcription of the same version, whose results are the same files).
  await markSubmitted(clients.s3, settings.bucket, claimed, claim);
  return { outcome: "submitted", inferenceId, outputLocation };
}

let defaultClients: SubmitClients | undefined;

/** Lambda entry point (S3 event notification). A record that fails fails the event, so Lambda retries it. */
export async function handler(event: unknown): Promise<SubmitOutcome[]> {
  const settings = loadSettings();
  defaultClients ??= { s3: new S3Client({}), sagemaker: new SageMakerRuntimeClient({}) };
  const outcomes: SubmitOutcome[] = [];
  for (const object of createdObjects(event)) {
    const outcome = await submitRecording(defaultClients, settings, object);
    console.log(JSON.stringify({ recording: object.key, eTag: object.eTag, ...outcome }));
    outcomes.push(outcome);
  }
  return outcomes;
}
