/** The shipped sample, and the `--audio FILE` flag of the one-file CLIs (smoke, npm start) that defaults to it. */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { stringOption, type CliOption, type CliValues } from "../cli-kit/args";
import { UsageError } from "../../clients/typescript/src/errors";

/** espeak-ng speech, 6.9 s, AAC in MP4 (m4a). */
export const SAMPLE_AUDIO = join(__dirname, "..", "..", "fixtures", "audio", "speech.m4a");

/**
 * The diarization models committed for the tests (pyannote segmentation-3.0 and CAM++ as ONNX, converted by
 * inference/tools/convert_diarization_models.py); `npm start` gives them to its local default model so
 * `--diarize` works locally too.
 */
export const SAMPLE_DIARIZATION_DIR = join(__dirname, "..", "..", "fixtures", "diarization", "models");

export const AUDIO_CLI_OPTION: CliOption = {
  type: "string",
  value: "FILE",
  help: "Audio or video file. Default: fixtures/audio/speech.m4a.",
};

/**
 * The `--audio` file (default: the sample); a path that is not a regular file is a usage error that says what it
 * is instead (a directory gets a pointer to the batch CLI, which takes directories).
 */
export function audioFileFrom(values: CliValues): string {
  const audio = stringOption(values, "audio") ?? SAMPLE_AUDIO;
  const info = existsSync(audio) ? statSync(audio) : undefined;
  if (!info) throw new UsageError(`--audio: no such file: ${audio}`);
  if (info.isDirectory()) {
    throw new UsageError(
      `--audio: ${audio} is a directory; give one file, or transcribe a directory with ` +
        "`npm run transcribe -- DIR --out OUT` (with --local URL for a local server)",
    );
  }
  if (!info.isFile()) throw new UsageError(`--audio: not a regular file: ${audio}`);
  return audio;
}
