/**
 * Local mode: POST the audio straight to a running server's /invocations (the same container contract
 * SageMaker uses), with the same Accept header and custom attributes as the async path. Errors the server marks
 * retryable and dropped connections are retried (see local-retry.ts) within the file's `--timeout`.
 */
import { readFile } from "node:fs/promises";
import { httpUrl } from "./http-url";
import { sleep } from "./backoff";
import { WaitTimeoutError, messageOf } from "./errors";
import { Deadline } from "./deadline";
import { JobFailedError } from "./job-failed-error";
import { ACCEPT_BY_FORMAT, describeFailure } from "./formats";
import { contentTypeFor } from "./media";
import { customAttributesFor, type TranscriptionOptions } from "./options";
import { OPTIONS_HEADER } from "./server-contract";
import { jobResult, secondsSince, type JobHooks, type JobResult, type Transcriber } from "./job";
import { OUTAGE_TOLERANCE_MS, retryDelayMs, retryableConnectionError, retryableErrorCode } from "./local-retry";

/** Validates `--local`: an http(s) URL without query or fragment. Returns it without a trailing slash. */
export function parseLocalUrl(raw: string): string {
  return httpUrl(raw, "--local", "http://127.0.0.1:8080", { plain: true });
}

/** One try: the server's answer, or the error of a connection that failed. */
type Attempt = { readonly status: number; readonly ok: boolean; readonly body: string } | { readonly error: unknown };

export class LocalTranscriber implements Transcriber {
  readonly description: string;
  /** When the current outage began (the first failed connection since the last answer); undefined while up. */
  private unreachableSince: number | undefined;

  /** `outageToleranceMs`: see {@link OUTAGE_TOLERANCE_MS}, the default. */
  constructor(
    private readonly baseUrl: string,
    private readonly outageToleranceMs: number = OUTAGE_TOLERANCE_MS,
  ) {
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

    const deadline = new Deadline(options.timeoutSeconds);
    hooks.onStatus?.("processing");
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      const answer = await this.post(audio, headers, deadline);
      if ("error" in answer) {
        const code = retryableConnectionError(answer.error);
        const cause = messageOf((answer.error as { cause?: unknown }).cause ?? answer.error);
        const failure = `cannot reach ${this.baseUrl}/invocations (is the server running?): ${cause}`;
        if (code === undefined) throw new Error(failure);
        this.unreachableSince ??= started;
        const outageMs = Date.now() - this.unreachableSince;
        if (outageMs >= this.outageToleranceMs) {
          throw new Error(`${failure} (unreachable for ${Math.round(outageMs / 1000)} s)`);
        }
        await this.pause(attempt, deadline, failure, hooks, code);
        continue;
      }
      this.unreachableSince = undefined;
      const jobSeconds = secondsSince(started);
      if (answer.ok) {
        return jobResult(answer.body, options.format, [{ label: "request", seconds: jobSeconds }], jobSeconds);
      }
      const failure = `${describeFailure(answer.body)} [HTTP ${answer.status}]`;
      const code = retryableErrorCode(answer.body);
      if (code === undefined) throw new JobFailedError(failure);
      await this.pause(attempt, deadline, failure, hooks, code);
    }
  }

  /** POSTs once within the deadline; a timeout becomes a WaitTimeoutError (exit 2), other errors an Attempt. */
  private async post(audio: Buffer, headers: Record<string, string>, deadline: Deadline): Promise<Attempt> {
    const signal = AbortSignal.timeout(Math.max(1, deadline.remainingMs()));
    try {
      const response = await fetch(`${this.baseUrl}/invocations`, { method: "POST", headers, body: audio, signal });
      return { status: response.status, ok: response.ok, body: await response.text() };
    } catch (error) {
      if (signal.aborted) {
        throw new WaitTimeoutError(`no answer from ${this.baseUrl} after ${deadline.totalSeconds} s`);
      }
      return { error };
    }
  }

  /** Waits before the next try, or throws `failure` when the pause would run past the file's deadline. */
  private async pause(attempt: number, deadline: Deadline, failure: string, hooks: JobHooks, why: string) {
    const delay = retryDelayMs(attempt);
    if (delay >= deadline.remainingMs()) {
      throw new JobFailedError(`${failure}; still failing after ${attempt} tries in ${deadline.totalSeconds} s`);
    }
    hooks.onStatus?.(`retrying after ${why}`);
    await sleep(delay);
  }
}
