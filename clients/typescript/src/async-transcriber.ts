/**
 * The SageMaker asynchronous path: upload the audio under the input prefix, InvokeEndpointAsync, then wait
 * for the result object at OutputLocation or an error object at FailureLocation.
 */
import { randomUUID } from "node:crypto";
import { basename } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { CHECK_CALL_CAP_MS, Deadline } from "./deadline";
import { waitFor } from "./backoff";
import { WaitTimeoutError, messageOf } from "./errors";
import { objectExists, parseS3Uri, readObjectText, s3Uri, uploadFile, type S3Location } from "./s3";
import { JobFailedError } from "./job-failed-error";
import { ACCEPT_BY_FORMAT, describeFailure } from "./formats";
import { contentTypeFor } from "./media";
import { customAttributesFor, type TranscriptionOptions } from "./options";
import { jobResult, secondsSince, type JobHooks, type JobResult, type Transcriber } from "./job";

/**
 * How long the container may work on one request (SageMaker's maximum, 3600 s; its default is 900 s):
 * hour-long recordings must not be cut off; a hung request is still bounded.
 */
export const INVOCATION_TIMEOUT_SECONDS = 3600;

export interface AsyncEndpointTarget {
  readonly endpointName: string;
  readonly bucket: string;
  /** Key prefix for uploads, e.g. `async/inputs/` (trailing slash, no leading one). */
  readonly inputPrefix: string;
  /**
   * InvokeEndpointAsync's S3OutputPathExtension: results go under `<output path>/<extension>/`. A caller of
   * whisper-async:callers sets its name, so that it may list where its results appear ("not yet" is then 404, not
   * 403). Defaults to none: results directly under the output path.
   */
  readonly outputPathExtension?: string;
}

export interface AsyncClients {
  readonly s3: S3Client;
  readonly runtime: SageMakerRuntimeClient;
}

/**
 * A letter or digit, then `[A-Za-z0-9._:-]`, 1-64 characters in all: valid for SageMaker's InferenceId and safe
 * inside an S3 key.
 */
export const INFERENCE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** Keeps object keys readable and URI-safe whatever the local file is called. */
function keySafeName(file: string): string {
  return basename(file).replace(/[^A-Za-z0-9._-]/g, "_") || "audio";
}

/**
 * Runs one AWS call within `deadline` and prefixes its errors with the step that failed ("uploading to
 * s3://...: Access Denied"); a call that ran out of time stays a WaitTimeoutError, which already names the step.
 */
async function awsCall<T>(
  deadline: Deadline,
  step: string,
  action: (signal: AbortSignal) => Promise<T>,
  capMs?: number,
): Promise<T> {
  try {
    return await deadline.call(step, action, capMs);
  } catch (error) {
    if (error instanceof WaitTimeoutError) throw error;
    throw new Error(`${step}: ${messageOf(error)}`, { cause: error });
  }
}

export class AsyncTranscriber implements Transcriber {
  readonly description: string;

  /** Clients default to the standard AWS SDK chain (credentials, region, AWS_ENDPOINT_URL). */
  constructor(
    private readonly target: AsyncEndpointTarget,
    private readonly clients: AsyncClients = { s3: new S3Client({}), runtime: new SageMakerRuntimeClient({}) },
  ) {
    this.description = `endpoint ${target.endpointName} (s3://${target.bucket}/${target.inputPrefix})`;
  }

  /** `inferenceId` defaults to a random UUID; it also names the upload, so one id is one input object. */
  async transcribe(
    file: string,
    options: TranscriptionOptions,
    hooks: JobHooks = {},
    inferenceId: string = randomUUID(),
  ): Promise<JobResult> {
    const started = Date.now();
    const deadline = new Deadline(options.timeoutSeconds, started);
    const { s3, runtime } = this.clients;
    const input: S3Location = {
      bucket: this.target.bucket,
      key: `${this.target.inputPrefix}${inferenceId}/${keySafeName(file)}`,
    };
    hooks.onStatus?.("uploading");
    await awsCall(deadline, `uploading to ${s3Uri(input)}`, (signal) =>
      uploadFile(s3, file, input, {
        contentType: contentTypeFor(file),
        onProgress: (loaded, total) => {
          if (total) hooks.onStatus?.(`uploading ${Math.floor((100 * loaded) / total)}%`);
        },
        signal,
      }),
    );
    const uploadSeconds = secondsSince(started);

    const invoked = Date.now();
    const response = await awsCall(deadline, `invoking endpoint ${this.target.endpointName}`, (abortSignal) =>
      runtime.send(
        new InvokeEndpointAsyncCommand({
          EndpointName: this.target.endpointName,
          InputLocation: s3Uri(input),
          InferenceId: inferenceId,
          ContentType: contentTypeFor(file),
          Accept: ACCEPT_BY_FORMAT[options.format],
          CustomAttributes: customAttributesFor(options.decoding),
          InvocationTimeoutSeconds: INVOCATION_TIMEOUT_SECONDS,
          S3OutputPathExtension: this.target.outputPathExtension,
        }),
        { abortSignal },
      ),
    );
    if (!response.OutputLocation) throw new Error(`the endpoint returned no OutputLocation for ${inferenceId}`);
    const output = parseS3Uri(response.OutputLocation);
    const failure = response.FailureLocation ? parseS3Uri(response.FailureLocation) : undefined;

    hooks.onStatus?.("queued or processing");
    const outcome = await waitFor(
      async () => {
        // A check cut off by the overall deadline is "not there yet": the waiter then reports the timeout with
        // where the result may still appear. A check that hangs past its own cap is an error.
        const exists = (location: S3Location) =>
          awsCall(
            deadline,
            `checking ${s3Uri(location)}`,
            (signal) => objectExists(s3, location, signal),
            CHECK_CALL_CAP_MS,
          ).catch((error: unknown) => {
            if (error instanceof WaitTimeoutError && deadline.remainingMs() === 0) return false;
            throw error;
          });
        if (await exists(output)) return "output" as const;
        if (failure && (await exists(failure))) return "failure" as const;
        return undefined;
      },
      {
        timeoutMs: deadline.remainingMs(),
        timeoutMessage: () =>
          `no result after ${options.timeoutSeconds} s for inference ${inferenceId}; ` +
          `it may still appear at ${response.OutputLocation}` +
          (response.FailureLocation ? ` (errors at ${response.FailureLocation})` : ""),
      },
    );
    const jobSeconds = secondsSince(invoked);

    if (outcome === "failure" && failure) {
      const message = describeFailure(
        await awsCall(deadline, `reading ${s3Uri(failure)}`, (signal) => readObjectText(s3, failure, signal)),
      );
      throw new JobFailedError(`${message} [inference ${inferenceId}, ${response.FailureLocation}]`);
    }
    hooks.onStatus?.("downloading");
    const downloaded = Date.now();
    const body = await awsCall(deadline, `reading ${s3Uri(output)}`, (signal) => readObjectText(s3, output, signal));
    const timings = [
      { label: "upload", seconds: uploadSeconds },
      { label: "queue + processing", seconds: jobSeconds },
      { label: "download", seconds: secondsSince(downloaded) },
    ];
    return jobResult(body, options.format, timings, jobSeconds, {
      inferenceId,
      outputLocation: response.OutputLocation,
    });
  }
}
