/**
 * Where the drop folder's objects live, all in the stack's one bucket: recordings under the drop prefix, their
 * transcripts under the results prefix at the same relative path, and one claim per submitted recording under the
 * claims prefix (request data, expired with the rest of `async/`).
 */
import { createHash } from "node:crypto";

/** Short names of the renderings the server returns in one response, also the result files' extensions. */
export const FORMATS = ["json", "txt", "srt", "vtt"] as const;
export type Format = (typeof FORMATS)[number];

/** Content type of each result file. */
export const CONTENT_TYPES: Readonly<Record<Format, string>> = {
  json: "application/json",
  txt: "text/plain; charset=utf-8",
  srt: "application/x-subrip; charset=utf-8",
  vtt: "text/vtt; charset=utf-8",
};

/** Every inference the drop folder submits has an id starting with this (the SNS subscription filters on it). */
export const INFERENCE_ID_PREFIX = "drop-";

export interface Layout {
  /** Key prefix watched for recordings, e.g. `drop/`. */
  readonly dropPrefix: string;
  /** Key prefix the transcripts and error files are written under, e.g. `results/`. */
  readonly resultsPrefix: string;
  /** Key prefix of the claims (one per submitted recording version), e.g. `async/drop-claims/`. */
  readonly claimsPrefix: string;
  /** Key prefix of the copies submitted for recordings whose keys are not URI-safe, e.g. `async/drop-inputs/`. */
  readonly stagingPrefix: string;
}

/** The recording's path below the drop prefix, e.g. `team/talk.mp3` for `drop/team/talk.mp3`. */
export function relativePath(layout: Layout, key: string): string {
  if (!key.startsWith(layout.dropPrefix)) throw new Error(`${key} is not under the drop prefix ${layout.dropPrefix}`);
  return key.slice(layout.dropPrefix.length);
}

/** The relative path without its extension: `team/talk.mp3` -> `team/talk`; a name without one stays whole. */
function stem(path: string): string {
  const slash = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  return dot > slash + 1 ? path.slice(0, dot) : path;
}

/** Key of one result file: `drop/team/talk.mp3` -> `results/team/talk.srt`. */
export function resultKey(layout: Layout, recordingKey: string, format: Format): string {
  return `${layout.resultsPrefix}${stem(relativePath(layout, recordingKey))}.${format}`;
}

/** Key of the error file written instead of the transcript: `results/team/talk.error.json`. */
export function errorKey(layout: Layout, recordingKey: string): string {
  return `${layout.resultsPrefix}${stem(relativePath(layout, recordingKey))}.error.json`;
}

/**
 * The inference id of one version of one recording with its options: the same recording, bytes (ETag) and options
 * always give the same id, so a repeated event finds the claim its first delivery made; changed audio or changed
 * options give a new one. 45 characters (SageMaker allows 64).
 */
export function inferenceIdOf(recordingKey: string, eTag: string, options: string): string {
  const digest = createHash("sha256").update(`${recordingKey}\n${eTag}\n${options}`).digest("hex");
  return `${INFERENCE_ID_PREFIX}${digest.slice(0, 40)}`;
}

/** Key of the claim of one inference. */
export function claimKey(layout: Layout, inferenceId: string): string {
  return `${layout.claimsPrefix}${inferenceId}.json`;
}

/** Keys made of these characters go into InvokeEndpointAsync's `InputLocation` (an HTTP header) as they are. */
const URI_SAFE_KEY = /^[A-Za-z0-9._\-/]+$/;

/**
 * The key to submit for a recording: the recording itself when its key is URI-safe, else where a copy of it is put
 * under a safe name (`async/drop-inputs/<inferenceId>/<name with _ for each other character>`): spaces and
 * non-ASCII letters, common in dropped file names, have no defined form in that header.
 */
export function inputKeyFor(layout: Layout, recordingKey: string, inferenceId: string): string {
  if (URI_SAFE_KEY.test(recordingKey)) return recordingKey;
  const name = recordingKey.slice(recordingKey.lastIndexOf("/") + 1).replace(/[^A-Za-z0-9._-]/g, "_");
  return `${layout.stagingPrefix}${inferenceId}/${name || "recording"}`;
}

/** Bucket and key of an `s3://bucket/key` URI. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`not an s3://bucket/key URI: ${uri}`);
  return { bucket: match[1], key: match[2] };
}
