/** Human-readable summaries of a finished job (stderr; the transcript itself goes to stdout). */
import { parseTranscriptJson } from "../../clients/typescript/src/formats";
import type { JobResult } from "../../clients/typescript/src/job";
import { formatDuration } from "../cli-kit/progress";

/** x-realtime: seconds of audio per second of work; "?" when either is unknown or zero. */
export function realtimeFactor(audioSeconds: number | undefined, seconds: number): string {
  if (!audioSeconds || seconds <= 0) return "?";
  return `${(audioSeconds / seconds).toFixed(1)}x`;
}

/** Lines such as `timings: upload 0.4 s, queue + processing 12.3 s, download 0.1 s`. */
export function jobSummaryLines(result: JobResult): string[] {
  const lines: string[] = [];
  if (result.inferenceId) lines.push(`inference id: ${result.inferenceId}`);
  if (result.outputLocation) lines.push(`output:       ${result.outputLocation}`);
  const language = languageLine(result);
  if (language) lines.push(language);
  lines.push(`timings:      ${result.timings.map((t) => `${t.label} ${formatDuration(t.seconds)}`).join(", ")}`);
  if (result.audioSeconds !== undefined) {
    let audio = `audio:        ${formatDuration(result.audioSeconds)}, ${realtimeFactor(result.audioSeconds, result.jobSeconds)} realtime`;
    if (result.processingSeconds !== undefined) {
      audio += ` (server processing ${formatDuration(result.processingSeconds)}, ${realtimeFactor(result.audioSeconds, result.processingSeconds)})`;
    }
    lines.push(audio);
  } else {
    const why = result.format === "json" ? "no duration in the result" : "only the json format reports it";
    lines.push(`audio:        length unknown (${why})`);
  }
  return lines;
}

/** `language:     ja (probability 0.99)` from a JSON result, noting an English-only model; else undefined. */
export function languageLine(result: Pick<JobResult, "body" | "format">): string | undefined {
  const language = detectedLanguage(result);
  return language && `language:     ${language}`;
}

/**
 * `ja (probability 0.99)` (`, English-only model` after it for such a model) from a JSON result; undefined for
 * the other formats, which do not carry the language.
 */
export function detectedLanguage(result: Pick<JobResult, "body" | "format">): string | undefined {
  const json = result.format === "json" ? parseTranscriptJson(result.body) : undefined;
  if (!json?.language) return undefined;
  const sure = json.language_probability === undefined ? "" : ` (probability ${json.language_probability.toFixed(2)})`;
  const englishOnly = json.multilingual === false ? ", English-only model" : "";
  return `${json.language}${sure}${englishOnly}`;
}
