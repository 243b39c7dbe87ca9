/** Runs a planned batch with bounded concurrency; one file's failure never stops the others. */
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import type { BatchItem } from "./batch-plan";
import { BatchProgress } from "./batch-progress";
import { WaitTimeoutError, messageOf } from "../../clients/typescript/src/errors";
import type { Transcriber } from "../../clients/typescript/src/job";
import type { TranscriptionOptions } from "../../clients/typescript/src/options";
import { writeFileAtomic } from "./atomic-write";
import { detectedLanguage } from "./report";

export interface BatchFailure {
  readonly item: BatchItem;
  readonly message: string;
  /** The wait ran out (rather than the job failing). */
  readonly timedOut: boolean;
}

export interface BatchOutcome {
  readonly done: number;
  /** Files whose result already existed (earlier runs); not sent again. */
  readonly skipped: number;
  readonly failures: readonly BatchFailure[];
  /** Sum of the audio lengths the JSON results reported (0 for other formats). */
  readonly audioSeconds: number;
}

/**
 * Transcribes every item whose output does not exist yet, at most `concurrency` at a time, writing each
 * result atomically as soon as it arrives (an interrupted batch keeps everything finished so far).
 */
export async function runBatch(
  items: readonly BatchItem[],
  transcriber: Transcriber,
  options: TranscriptionOptions,
  concurrency: number,
  progress: (todo: number, totalBytes: number) => BatchProgress = (todo, totalBytes) =>
    new BatchProgress(todo, process.stderr, totalBytes),
): Promise<BatchOutcome> {
  const todo = items.filter((item) => !existsSync(item.output));
  // Sizes weigh the ETA; a file that cannot be read now counts 0 here and fails with its reason below.
  const sizes = await Promise.all(
    todo.map((item) =>
      stat(item.source).then(
        (info) => info.size,
        () => 0,
      ),
    ),
  );
  const display = progress(
    todo.length,
    sizes.reduce((sum, size) => sum + size, 0),
  );
  const failures: BatchFailure[] = [];
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const bytes = sizes[next];
      const item = todo[next++];
      display.began(item.displayName);
      const started = Date.now();
      try {
        const result = await transcriber.transcribe(item.source, options);
        await writeFileAtomic(item.output, result.body);
        done++;
        const seconds = (Date.now() - started) / 1000;
        display.succeeded(item.displayName, result.audioSeconds, seconds, bytes, detectedLanguage(result));
      } catch (error) {
        const failure = { item, message: messageOf(error), timedOut: error instanceof WaitTimeoutError };
        failures.push(failure);
        display.failedWith(item.displayName, failure.message, bytes);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
  display.finish();
  return { done, skipped: items.length - todo.length, failures, audioSeconds: display.audioSecondsDone };
}
