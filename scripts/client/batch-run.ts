/** Runs a planned batch with bounded concurrency; one file's failure never stops the others. */
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import type { BatchItem } from "./batch-plan";
import { BatchProgress } from "./batch-progress";
import { WaitTimeoutError, messageOf } from "../../clients/typescript/src/errors";
import type { Transcriber } from "../../clients/typescript/src/job";
import type { TranscriptionOptions } from "../../clients/typescript/src/options";
import { writeFileAtomic } from "./atomic-write";
import { stoppingReason } from "./output-failure";
import { detectedLanguage } from "./report";
import { assertUnchanged, sourceState } from "./source-state";

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
  /** Why the batch stopped sending files (an output directory that cannot take results), when it did. */
  readonly stoppedBecause?: string;
  /** Files never sent because the batch stopped (0 when it did not). */
  readonly notSent: number;
}

/** Writes one result; the default writes it atomically (atomic-write.ts). */
export type ResultWriter = (path: string, content: string) => Promise<void>;

/**
 * Transcribes every item whose output does not exist yet, at most `concurrency` at a time, writing each
 * result atomically as soon as it arrives (an interrupted batch keeps everything finished so far).
 *
 * A source whose size or modification time changed between sending it and its result fails and is not written
 * (source-state.ts). A result that cannot be written because of the output itself (read-only, full, not
 * permitted: output-failure.ts) stops the batch: the files in flight end, no other file is sent.
 */
export async function runBatch(
  items: readonly BatchItem[],
  transcriber: Transcriber,
  options: TranscriptionOptions,
  concurrency: number,
  progress: (todo: number, totalBytes: number) => BatchProgress = (todo, totalBytes) =>
    new BatchProgress(todo, process.stderr, totalBytes),
  writeResult: ResultWriter = writeFileAtomic,
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
  let stoppedBecause: string | undefined;
  const worker = async () => {
    while (next < todo.length && stoppedBecause === undefined) {
      const bytes = sizes[next];
      const item = todo[next++];
      display.began(item.displayName);
      const started = Date.now();
      try {
        const before = await sourceState(item.source);
        const result = await transcriber.transcribe(item.source, options);
        assertUnchanged(before, await sourceState(item.source));
        await writeResult(item.output, result.body).catch((error: unknown) => {
          stoppedBecause ??= stoppingReason(error);
          throw error;
        });
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
  return {
    done,
    skipped: items.length - todo.length,
    failures,
    audioSeconds: display.audioSecondsDone,
    stoppedBecause,
    notSent: todo.length - next,
  };
}
