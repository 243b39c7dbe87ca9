/**
 * Decoding options and how they travel to the server
 * (Accept header + `X-Amzn-SageMaker-Custom-Attributes: key=value;key=value`).
 */
import { UsageError } from "./errors";
import type { OutputFormat } from "./formats";
import { MAX_OPTIONS_HEADER_LENGTH, type ServerOptionName } from "./server-contract";

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
  /** One of the server's `task` choices (transcribe, translate). */
  readonly task?: string;
  readonly word_timestamps?: boolean;
  readonly vad?: boolean;
  readonly beam_size?: number;
  readonly batch_size?: number;
  /** Each chunk of speech decoded in its own detected language; JSON segments carry `language`. */
  readonly mixed_languages?: boolean;
  readonly temperature?: number;
  readonly initial_prompt?: string;
  readonly hotwords?: string;
  readonly diarize?: boolean;
  readonly speakers?: number;
  readonly min_speakers?: number;
  readonly max_speakers?: number;
  /** One of the server's `channels` choices: mixed, or separate (one speaker per channel). */
  readonly channels?: string;
  readonly max_line_width?: number;
  readonly max_line_count?: number;
  readonly max_cue_duration?: number;
}
/**
 * Compile-time checks that DecodingOptions has exactly the server's options: a rename on the server fails `tsc`
 * (after `npm run contract`) until this interface follows.
 */
const noClientOnlyOption: Exclude<keyof DecodingOptions, ServerOptionName> extends never ? true : never = true;
const noServerOptionMissing: Exclude<ServerOptionName, keyof DecodingOptions> extends never ? true : never = true;
void [noClientOnlyOption, noServerOptionMissing];

/**
 * The CustomAttributes string (`key=value;key=value`), or undefined when no option is set. Values are
 * percent-encoded (the server decodes them), so prompts may hold `;`, `=` or non-ASCII text; SageMaker's
 * 1024-character limit applies to the encoded string.
 */
export function customAttributesFor(decoding: DecodingOptions): string | undefined {
  const pairs = Object.entries(decoding)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`);
  if (pairs.length === 0) return undefined;
  const attributes = pairs.join(";");
  if (attributes.length > MAX_OPTIONS_HEADER_LENGTH) {
    throw new UsageError(
      `the options make ${attributes.length} characters of custom attributes (percent-encoded); SageMaker ` +
        `allows ${MAX_OPTIONS_HEADER_LENGTH}: shorten --initial-prompt or --hotwords`,
    );
  }
  return attributes;
}
