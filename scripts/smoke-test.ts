/**
 * Post-deploy check: transcribe one file through the async endpoint (or a local server) and report.
 * Exit codes: 0 transcript printed, 1 the job failed, 2 usage error or timeout.
 */
import { stringOption, type ParsedCli } from "./cli-kit/args";
import { UsageError } from "../clients/typescript/src/errors";
import { runCommand } from "./cli-kit/run";
import { AsyncTranscriber, INFERENCE_ID_PATTERN } from "../clients/typescript/src/async-transcriber";
import { TRANSCRIPTION_CLI_OPTIONS, transcriptionOptionsFrom } from "./client/options";
import { AUDIO_CLI_OPTION, audioFileFrom } from "./client/sample";
import { runAndPrint } from "./client/single-job";
import { TARGET_CLI_OPTIONS, transcriberFrom } from "./client/target";

const spec = {
  usage: [
    "Usage: npm run smoke -- [--audio FILE] [options]",
    "",
    "Uploads FILE to the endpoint's input prefix, invokes the async endpoint and waits for the result or the",
    "failure. Prints the transcript on stdout, timings on stderr.",
    "Exit codes: 0 done, 1 the job failed, 2 usage error or timeout.",
  ].join("\n"),
  options: {
    audio: AUDIO_CLI_OPTION,
    "inference-id": {
      type: "string",
      value: "ID",
      help: "InferenceId (also names the upload), [A-Za-z0-9._:-], <= 64. Default: random UUID.",
    },
    ...TRANSCRIPTION_CLI_OPTIONS,
    ...TARGET_CLI_OPTIONS,
  },
} as const;

async function main(parsed: ParsedCli): Promise<number> {
  const audio = audioFileFrom(parsed.values);
  const inferenceId = stringOption(parsed.values, "inference-id");
  if (inferenceId !== undefined && !INFERENCE_ID_PATTERN.test(inferenceId)) {
    throw new UsageError(`--inference-id must match ${INFERENCE_ID_PATTERN}, got "${inferenceId}"`);
  }
  const options = transcriptionOptionsFrom(parsed.values);
  const transcriber = await transcriberFrom(parsed.values);
  if (inferenceId !== undefined && !(transcriber instanceof AsyncTranscriber)) {
    throw new UsageError("--inference-id only applies to the async endpoint, not to --local");
  }

  console.error(`smoke: ${audio} -> ${transcriber.description}`);
  return runAndPrint(
    "smoke",
    (hooks) =>
      transcriber instanceof AsyncTranscriber
        ? transcriber.transcribe(audio, options, hooks, inferenceId)
        : transcriber.transcribe(audio, options, hooks),
    parsed.values.format !== undefined,
  );
}

runCommand(spec, main);
