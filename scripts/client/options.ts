/**
 * Decoding options shared by every CLI: their flags, validation, and how they travel to the server
 * (Accept header + `X-Amzn-SageMaker-Custom-Attributes: key=value;key=value`).
 */
import { UsageError } from "./errors";
import { OUTPUT_FORMATS, type OutputFormat } from "./formats";
import { booleanOption, choiceOption, numberOption, stringOption, type CliOptions, type CliValues } from "./cli";

/** Largest speaker count the server accepts (MAX_SPEAKERS in inference/whisper_server/options.py). */
export const MAX_SPEAKERS = 32;
/** SageMaker's limit for CustomAttributes (InvokeEndpoint and InvokeEndpointAsync). */
export const MAX_CUSTOM_ATTRIBUTES_LENGTH = 1024;
/** Default overall wait per file: long enough for a cold start from zero instances plus the job. */
export const DEFAULT_TIMEOUT_SECONDS = 1200;

export interface TranscriptionOptions {
  /** Output format (sets Accept). Defaults to json. */
  readonly format: OutputFormat;
  /** Overall seconds to wait for one file, upload included. Defaults to 1200. */
  readonly timeoutSeconds: number;
  /** Server-side decoding options; absent ones take the server's defaults. */
  readonly decoding: DecodingOptions;
}

/** Sent as custom attributes; the keys are the server's (snake_case). Absent = the server's default. */
export interface DecodingOptions {
  readonly language?: string;
  readonly task?: "transcribe" | "translate";
  readonly word_timestamps?: boolean;
  readonly vad?: boolean;
  readonly beam_size?: number;
  readonly batch_size?: number;
  readonly temperature?: number;
  readonly initial_prompt?: string;
  readonly hotwords?: string;
  readonly diarize?: boolean;
  readonly speakers?: number;
  readonly min_speakers?: number;
  readonly max_speakers?: number;
}

/** The flags for TranscriptionOptions, shared by smoke, transcribe and the local runner. */
export const TRANSCRIPTION_CLI_OPTIONS: CliOptions = {
  format: { type: "string", value: "FORMAT", help: `${OUTPUT_FORMATS.join(" | ")} (sets Accept). Default json.` },
  language: { type: "string", value: "CODE", help: "Spoken language, e.g. en. Default: detected by the model." },
  task: { type: "string", value: "TASK", help: "transcribe | translate (into English). Default: server's." },
  "word-timestamps": { type: "boolean", negatable: true, help: "Word-level timings in the JSON. Default: server's." },
  vad: { type: "boolean", negatable: true, help: "Skip silence (voice activity detection). Default: server's." },
  "beam-size": { type: "string", value: "N", help: "Beam size, 1..20. Default: server's (WHISPER_BEAM_SIZE)." },
  "batch-size": { type: "string", value: "N", help: "VAD chunks decoded together, 1..128. Default: server's." },
  temperature: { type: "string", value: "T", help: "Sampling temperature, 0..1. Default: server's." },
  "initial-prompt": { type: "string", value: "TEXT", help: "Prompt for the first window (names, spelling)." },
  hotwords: { type: "string", value: "TEXT", help: "Words to bias decoding towards." },
  diarize: { type: "boolean", negatable: true, help: "Speaker labels (S1, S2 ...). Default: server's (off)." },
  speakers: { type: "string", value: "N", help: `Exact number of speakers, 1..${MAX_SPEAKERS}; implies --diarize.` },
  "min-speakers": { type: "string", value: "N", help: "Fewest speakers to find; implies --diarize." },
  "max-speakers": { type: "string", value: "N", help: "Most speakers to find; implies --diarize." },
  timeout: { type: "string", value: "SECONDS", help: `Overall wait per file. Default ${DEFAULT_TIMEOUT_SECONDS}.` },
};

/** Reads and validates the TRANSCRIPTION_CLI_OPTIONS values. */
export function transcriptionOptionsFrom(values: CliValues): TranscriptionOptions {
  const language = stringOption(values, "language")?.toLowerCase();
  if (language !== undefined && !/^[a-z]{2,3}$/.test(language)) {
    throw new UsageError(`--language must be a language code such as en or de, got "${language}"`);
  }
  const decoding: DecodingOptions = {
    language,
    task: choiceOption(values, "task", ["transcribe", "translate"] as const),
    word_timestamps: booleanOption(values, "word-timestamps"),
    vad: booleanOption(values, "vad"),
    beam_size: numberOption(values, "beam-size", { min: 1, max: 20 }),
    batch_size: numberOption(values, "batch-size", { min: 1, max: 128 }),
    temperature: numberOption(values, "temperature", { min: 0, max: 1, integer: false }),
    initial_prompt: stringOption(values, "initial-prompt"),
    hotwords: stringOption(values, "hotwords"),
    ...speakerOptionsFrom(values),
  };
  // Validate now, before anything is uploaded.
  customAttributesFor(decoding);
  return {
    format: choiceOption(values, "format", OUTPUT_FORMATS) ?? "json",
    timeoutSeconds: numberOption(values, "timeout", { min: 1, integer: false }) ?? DEFAULT_TIMEOUT_SECONDS,
    decoding,
  };
}

/** The speaker-label flags, checked as the server checks them (so a bad combination fails before upload). */
function speakerOptionsFrom(values: CliValues): Partial<DecodingOptions> {
  const count = (flag: string) => numberOption(values, flag, { min: 1, max: MAX_SPEAKERS });
  const diarize = booleanOption(values, "diarize");
  const speakers = count("speakers");
  const minSpeakers = count("min-speakers");
  const maxSpeakers = count("max-speakers");
  const counted = speakers ?? minSpeakers ?? maxSpeakers;
  if (counted !== undefined && diarize === false) {
    throw new UsageError("--speakers, --min-speakers and --max-speakers need speaker labels; drop --no-diarize");
  }
  if (speakers !== undefined && (minSpeakers !== undefined || maxSpeakers !== undefined)) {
    throw new UsageError("give either --speakers or --min-speakers/--max-speakers, not both");
  }
  if (minSpeakers !== undefined && maxSpeakers !== undefined && minSpeakers > maxSpeakers) {
    throw new UsageError(`--min-speakers (${minSpeakers}) must not exceed --max-speakers (${maxSpeakers})`);
  }
  return {
    diarize: diarize ?? (counted !== undefined ? true : undefined),
    speakers,
    min_speakers: minSpeakers,
    max_speakers: maxSpeakers,
  };
}

/**
 * The CustomAttributes string (`key=value;key=value`), or undefined when no option is set. Values are
 * percent-encoded (the server decodes them), so prompts may hold `;`, `=` or non-ASCII text; SageMaker's
 * 1024-character limit applies to the encoded string.
 */
export function customAttributesFor(decoding: DecodingOptions): string | undefined {
  const pairs = Object.entries(decoding)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`);
  if (pairs.length === 0) return undefined;
  const attributes = pairs.join(";");
  if (attributes.length > MAX_CUSTOM_ATTRIBUTES_LENGTH) {
    throw new UsageError(
      `the options make ${attributes.length} characters of custom attributes (percent-encoded); SageMaker ` +
        `allows ${MAX_CUSTOM_ATTRIBUTES_LENGTH}: shorten --initial-prompt or --hotwords`,
    );
  }
  return attributes;
}
