/** What a transcription job produces, whichever way it ran (async endpoint or local server). */
import { transcriptJsonOf, type OutputFormat } from "./formats";
import type { TranscriptionOptions } from "./options";

/** One measured phase, e.g. `{ label: "upload", seconds: 0.42 }`. */
export interface Timing {
  readonly label: string;
  readonly seconds: number;
}

export interface JobResult {
  /** The result exactly as the server produced it, in `format`. */
  readonly body: string;
  readonly format: OutputFormat;
  /** The phases in order (upload, queue + processing, download; or one request for local mode). */
  readonly timings: readonly Timing[];
  /** The phase that counts for x-realtime: waiting for the endpoint, or the local request. */
  readonly jobSeconds: number;
  /** Audio length from the JSON result's `duration`, when the format is json. */
  readonly audioSeconds?: number;
  /** Server-side processing time from the JSON result, when the format is json. */
  readonly processingSeconds?: number;
  /** Async mode: the inference id and where the result was read. */
  readonly inferenceId?: string;
  readonly outputLocation?: string;
}

/** Progress callbacks, for spinners and logs. */
export interface JobHooks {
  /** A short status such as "uploading 40%" or "queued or processing". */
  readonly onStatus?: (status: string) => void;
}

/** Runs one file through a server. Throws JobFailedError, WaitTimeoutError or the transport's error. */
export interface Transcriber {
  /** Where jobs go, for messages ("endpoint whisper-dev", "http://127.0.0.1:8080"). */
  readonly description: string;
  transcribe(file: string, options: TranscriptionOptions, hooks?: JobHooks): Promise<JobResult>;
}

/**
 * The result of a job whose server answered `body` in `format`: audio length and processing time come from the JSON
 * transcript (a body that is not one fails the job). `extra` adds what only one path knows (async: inference id).
 */
export function jobResult(
  body: string,
  format: OutputFormat,
  timings: readonly Timing[],
  jobSeconds: number,
  extra: Pick<JobResult, "inferenceId" | "outputLocation"> = {},
): JobResult {
  const json = transcriptJsonOf(body, format);
  return {
    body,
    format,
    timings,
    jobSeconds,
    audioSeconds: json?.duration,
    processingSeconds: json?.processing_seconds,
    ...extra,
  };
}

/** Seconds since `startMs` (a Date.now() value), for timings. */
export function secondsSince(startMs: number): number {
  return (Date.now() - startMs) / 1000;
}
