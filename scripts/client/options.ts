/**
 * The decoding options' flags shared by every CLI and their validation; the options themselves and how they travel
 * to the server are the client library's (clients/typescript/src/options.ts).
 */
import { UsageError } from "../../clients/typescript/src/errors";
import { DEFAULT_FORMAT, OUTPUT_FORMATS } from "../../clients/typescript/src/formats";
import {
  booleanOption,
  choiceOption,
  numberOption,
  stringOption,
  type CliOptions,
  type CliValues,
} from "../cli-kit/args";
import type { CliOption } from "../cli-kit/args";
import { checkSpeakerOptions } from "../../clients/typescript/src/decoding-check";
import { SERVER_OPTIONS, type ServerOption, type ServerOptionName } from "../../clients/typescript/src/server-contract";
import {
  DEFAULT_TIMEOUT_SECONDS,
  customAttributesFor,
  type DecodingOptions,
  type TranscriptionOptions,
} from "../../clients/typescript/src/options";

/** Largest speaker count the server accepts (its `speakers` option's maximum). */
export const MAX_SPEAKERS = SERVER_OPTIONS.speakers.maximum;

/** `a..b` for an option's range, as the help texts write it. */
function range(option: ServerOption): string {
  return `${option.minimum}..${option.maximum}`;
}

const OPTION = SERVER_OPTIONS;

/**
 * The flag help of each server option, in the order `--help` lists them. A Record over the server's option names,
 * so an option the server adds or drops fails the type check until the CLIs follow; the ranges are the server's.
 */
const DECODING_FLAGS: Readonly<Record<ServerOptionName, { readonly value?: string; readonly help: string }>> = {
  language: { value: "CODE", help: "Spoken language, e.g. en. Default: detected by the model." },
  mixed_languages: {
    help: "Detect the language of each chunk of speech and decode it in that language (recordings that switch language). Default: off.",
  },
  task: { value: "TASK", help: `${OPTION.task.enum.join(" | ")} (into English). Default: server's.` },
  word_timestamps: { help: "Word-level timings in the JSON. Default: server's." },
  vad: { help: "Skip silence (voice activity detection). Default: server's." },
  beam_size: { value: "N", help: `Beam size, ${range(OPTION.beam_size)}. Default: server's (WHISPER_BEAM_SIZE).` },
  batch_size: { value: "N", help: `VAD chunks decoded together, ${range(OPTION.batch_size)}. Default: server's.` },
  temperature: { value: "T", help: `Sampling temperature, ${range(OPTION.temperature)}. Default: server's.` },
  initial_prompt: { value: "TEXT", help: "Prompt for the first window (names, spelling)." },
  hotwords: { value: "TEXT", help: "Words to bias decoding towards." },
  diarize: { help: "Speaker labels (S1, S2 ...). Default: server's (off)." },
  speakers: { value: "N", help: `Exact number of speakers, ${range(OPTION.speakers)}; implies --diarize.` },
  min_speakers: { value: "N", help: "Fewest speakers to find; implies --diarize." },
  max_speakers: { value: "N", help: "Most speakers to find; implies --diarize." },
  channels: {
    value: "HOW",
    help: `${OPTION.channels.enum.join(" | ")}: separate labels each channel's speech S1, S2 ... (calls). Default: server's.`,
  },
  max_line_width: {
    value: "N",
    help: `Subtitles: characters per line, ${range(OPTION.max_line_width)}. Default 42 (ja 13, zh/ko 16).`,
  },
  max_line_count: { value: "N", help: `Subtitles: lines per cue, ${range(OPTION.max_line_count)}. Default 2.` },
  max_cue_duration: {
    value: "SECONDS",
    help: `Subtitles: longest cue, ${range(OPTION.max_cue_duration)} s. Default 7.`,
  },
};

/** The CLI flag of a server option: `beam_size` -> `beam-size`. */
export function flagOf(option: ServerOptionName): string {
  return option.replaceAll("_", "-");
}

function decodingFlag(option: ServerOptionName): CliOption {
  const { value, help } = DECODING_FLAGS[option];
  if (OPTION[option].type === "boolean") return { type: "boolean", negatable: true, help };
  return { type: "string", value: value ?? "VALUE", help };
}

const DECODING_OPTION_NAMES = Object.keys(DECODING_FLAGS) as ServerOptionName[];

/**
 * The `--format` of the CLIs that print one transcript (smoke, npm start): without it they print the text to read
 * (runAndPrint), not the JSON they ask the server for.
 */
export const PRINTED_FORMAT_OPTION: CliOption = {
  type: "string",
  value: "FORMAT",
  help: `${OUTPUT_FORMATS.join(" | ")}: print the result as the server returns it (sets Accept). Default: the transcript as plain text (speaker turns with --diarize).`,
};

/** The flags for TranscriptionOptions, shared by smoke, transcribe and the local runner. */
export const TRANSCRIPTION_CLI_OPTIONS: CliOptions = {
  format: {
    type: "string",
    value: "FORMAT",
    help: `${OUTPUT_FORMATS.join(" | ")} (sets Accept). Default ${DEFAULT_FORMAT}.`,
  },
  ...Object.fromEntries(DECODING_OPTION_NAMES.map((option) => [flagOf(option), decodingFlag(option)])),
  timeout: { type: "string", value: "SECONDS", help: `Overall wait per file. Default ${DEFAULT_TIMEOUT_SECONDS}.` },
};

/** A server option's flag value, checked against the server's declaration (type, range, choices). */
function decodingValue(values: CliValues, option: ServerOptionName): string | number | boolean | undefined {
  const declared: ServerOption = OPTION[option];
  const flag = flagOf(option);
  switch (declared.type) {
    case "boolean":
      return booleanOption(values, flag);
    case "integer":
    case "number":
      return numberOption(values, flag, {
        min: declared.minimum ?? -Infinity,
        max: declared.maximum,
        integer: declared.type === "integer",
      });
    default:
      return declared.enum ? choiceOption(values, flag, declared.enum) : stringOption(values, flag);
  }
}

/** Reads and validates the TRANSCRIPTION_CLI_OPTIONS values. */
export function transcriptionOptionsFrom(values: CliValues): TranscriptionOptions {
  const fromFlags = Object.fromEntries(DECODING_OPTION_NAMES.map((option) => [option, decodingValue(values, option)]));
  const language = stringOption(values, "language")?.toLowerCase();
  if (language !== undefined && !new RegExp(OPTION.language.pattern).test(language)) {
    throw new UsageError(`--language must be a language code such as en or de, got "${language}"`);
  }
  const decoding = checkSpeakerOptions({ ...fromFlags, language } as DecodingOptions, {
    name: (option) => `--${flagOf(option)}`,
    diarizeOff: "--no-diarize",
  });
  // Validate now, before anything is uploaded.
  customAttributesFor(decoding);
  return {
    format: choiceOption(values, "format", OUTPUT_FORMATS) ?? DEFAULT_FORMAT,
    timeoutSeconds: numberOption(values, "timeout", { min: 1, integer: false }) ?? DEFAULT_TIMEOUT_SECONDS,
    decoding,
  };
}
