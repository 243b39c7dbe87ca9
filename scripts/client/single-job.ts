/** One job with a spinner, then the transcript on stdout and the timings on stderr (smoke and npm start). */
import { ExitCode } from "../../clients/typescript/src/errors";
import { WaitIndicator } from "../cli-kit/progress";
import { readableTranscript } from "../../clients/typescript/src/formats";
import type { JobHooks, JobResult } from "../../clients/typescript/src/job";
import { jobSummaryLines } from "./report";

/**
 * Runs `job` while showing its progress under `label`; returns exit code 0, or throws the job's error. The result
 * goes to stdout as the server returned it when `asReturned` (the user named a `--format`: `--format json` prints
 * the JSON), else as text to read (the JSON's text, or speaker turns). Default false.
 */
export async function runAndPrint(
  label: string,
  job: (hooks: JobHooks) => Promise<JobResult>,
  asReturned: boolean = false,
): Promise<number> {
  const indicator = new WaitIndicator(label);
  try {
    const result = await job({ onStatus: (status) => indicator.update(status) });
    indicator.stop();
    console.log(asReturned ? result.body.trimEnd() : readableTranscript(result.body, result.format));
    for (const line of jobSummaryLines(result)) console.error(line);
    return ExitCode.Ok;
  } finally {
    indicator.stop();
  }
}
