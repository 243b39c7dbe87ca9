/**
 * The TypeScript client the CLIs (`npm run smoke`, `npm run transcribe`, `npm start`) are built on, for your own
 * code: upload the audio, `InvokeEndpointAsync`, wait for the result or the failure with backoff and jitter
 * within a deadline, and read the result or the server's error. Imported as `whisper-sagemaker-async/client`
 * (package.json `exports`) or by path (`clients/typescript`).
 *
 * @example
 * ```ts
 * import { JobFailedError, transcribeFile } from "whisper-sagemaker-async/client";
 *
 * const result = await transcribeFile("talk.mp3", { endpointName, bucket, inputPrefix: "async/inputs/" }, {
 *   format: "json",
 *   options: { language: "en", word_timestamps: true },
 * });
 * console.log(JSON.parse(result.body).text);
 * ```
 * @packageDocumentation
 */
import {
  AsyncTranscriber,
  INFERENCE_ID_PATTERN,
  type AsyncClients,
  type AsyncEndpointTarget,
} from "./src/async-transcriber";
import { UsageError } from "./src/errors";
import { checkDecodingOptions } from "./src/decoding-check";
import { DEFAULT_FORMAT, type OutputFormat } from "./src/formats";
import type { JobResult } from "./src/job";
import { DEFAULT_TIMEOUT_SECONDS, customAttributesFor, type DecodingOptions } from "./src/options";

export {
  AsyncTranscriber,
  INFERENCE_ID_PATTERN,
  INVOCATION_TIMEOUT_SECONDS,
  type AsyncClients,
  type AsyncEndpointTarget,
} from "./src/async-transcriber";
export { LocalTranscriber } from "./src/local-transcriber";
export { JobFailedError } from "./src/job-failed-error";
export { UsageError, WaitTimeoutError } from "./src/errors";
export {
  ACCEPT_BY_FORMAT,
  DEFAULT_FORMAT,
  OUTPUT_FORMATS,
  describeFailure,
  parseTranscriptJson,
  type OutputFormat,
  type TranscriptJson,
} from "./src/formats";
export type { JobHooks, JobResult, Timing, Transcriber } from "./src/job";
export {
  DEFAULT_TIMEOUT_SECONDS,
  customAttributesFor,
  type DecodingOptions,
  type TranscriptionOptions,
} from "./src/options";
export { SERVER_CONTRACT, SERVER_ERRORS, SERVER_OPTIONS } from "./src/server-contract";
export { checkDecodingOptions } from "./src/decoding-check";

/** What {@link transcribeFile} sends and how long it waits; every field is optional. */
export interface TranscribeRequest {
  /** Output format, sent as Accept: json, txt, srt or vtt. Defaults to json. */
  readonly format?: OutputFormat;
  /** The server's decoding options by their names (language, word_timestamps, diarize ...). Defaults to none. */
  readonly options?: DecodingOptions;
  /** Overall seconds for the upload, the job and the download. Defaults to 1200 (covers a cold start). */
  readonly timeoutSeconds?: number;
  /** SageMaker's InferenceId, also the upload's folder. Defaults to a random UUID. */
  readonly inferenceId?: string;
  /** Progress: "uploading 40%", "queued or processing", "downloading". Defaults to none. */
  readonly onStatus?: (status: string) => void;
}

/**
 * Transcribes one file with the async endpoint `target` and resolves to the result as the server wrote it
 * (`body`, in `format`; for json also `audioSeconds`). The options are checked against the server's contract
 * before anything is uploaded.
 *
 * @param clients S3 and SageMaker runtime clients. Defaults to new ones on the standard AWS SDK chain
 *   (credentials, region, `AWS_ENDPOINT_URL`).
 * @throws {@link UsageError} for an option the server would refuse (before the upload),
 *   {@link JobFailedError} with the server's `message (error)` when the endpoint wrote a failure,
 *   {@link WaitTimeoutError} when nothing appeared within `timeoutSeconds`, and the SDK's errors for refused calls.
 */
export async function transcribeFile(
  file: string,
  target: AsyncEndpointTarget,
  request: TranscribeRequest = {},
  clients?: AsyncClients,
): Promise<JobResult> {
  const { inferenceId } = request;
  if (inferenceId !== undefined && !INFERENCE_ID_PATTERN.test(inferenceId)) {
    throw new UsageError(`inferenceId must match ${INFERENCE_ID_PATTERN}, got "${inferenceId}"`);
  }
  const decoding = checkDecodingOptions(request.options ?? {});
  customAttributesFor(decoding); // the header's length limit, also before the upload
  const transcriber = new AsyncTranscriber(target, clients);
  return transcriber.transcribe(
    file,
    {
      format: request.format ?? DEFAULT_FORMAT,
      timeoutSeconds: request.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      decoding,
    },
    { onStatus: request.onStatus },
    inferenceId,
  );
}
