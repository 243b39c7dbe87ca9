/**
 * Local mode: POST the audio straight to a running server's /invocations (the same container contract
 * SageMaker uses), with the same Accept header and custom attributes as the async path.
 */
import { readFile } from "node:fs/promises";
import { httpUrl } from "../cli-kit/args";
import { WaitTimeoutError, messageOf } from "../cli-kit/errors";
import { JobFailedError } from "./errors";
import { ACCEPT_BY_FORMAT, describeFailure } from "./formats";
import { contentTypeFor } from "./media";
import { customAttributesFor, type TranscriptionOptions } from "./options";
import { OPTIONS_HEADER } from "./server-contract";
import { jobResult, secondsSince, type JobHooks, type JobResult, type Transcriber } from "./job";

/** Validates `--local`: an http(s) URL without query or fragment. Returns it without a trailing slash. */
export function parseLocalUrl(raw: string): string {
  return httpUrl(raw, "--local", "http://127.0.0.1:8080", { plain: true });
}

export class LocalTranscriber implements Transcriber {
  readonly description: string;

  constructor(private readonly baseUrl: string) {
    this.description = `local server ${baseUrl}`;
  }

  async transcribe(file: string, options: TranscriptionOptions, hooks: JobHooks = {}): Promise<JobResult> {
    const audio = await readFile(file);
    const headers: Record<string, string> = {
      "Content-Type": contentTypeFor(file),
      Accept: ACCEPT_BY_FORMAT[options.format],
    };
    const attributes = customAttributesFor(options.decoding);
    if (attributes) headers[OPTIONS_HEADER] = attributes;

    hooks.onStatus?.("processing");
    const started = Date.now();
    let response: Response;
    let body: string;
    try {
      response = await fetch(`${this.baseUrl}/invocations`, {
        method: "POST",
        headers,
        body: audio,
        signal: AbortSignal.timeout(options.timeoutSeconds * 1000),
      });
      body = await response.text();
    } catch (error) {
      if (error instanceof DOMException && error.name === "TimeoutError") {
        throw new WaitTimeoutError(`no answer from ${this.baseUrl} after ${options.timeoutSeconds} s`);
      }
      const cause = (error as { cause?: unknown }).cause;
      throw new Error(
        `cannot reach ${this.baseUrl}/invocations (is the server running?): ${messageOf(cause ?? error)}`,
      );
    }
    const jobSeconds = secondsSince(started);
    if (!response.ok) throw new JobFailedError(`${describeFailure(body)} [HTTP ${response.status}]`);
    return jobResult(body, options.format, [{ label: "request", seconds: jobSeconds }], jobSeconds);
  }
}
