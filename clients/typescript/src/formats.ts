/** Output formats: the Accept header each one asks for, and how the CLIs read a result body. */
import { JobFailedError } from "./job-failed-error";
import { SERVER_CONTRACT, type ServerFormatName } from "./server-contract";

export type OutputFormat = ServerFormatName;

/** The Accept header (SageMaker passes it through to the container) for each format: the server's contract. */
export const ACCEPT_BY_FORMAT: Readonly<Record<OutputFormat, string>> = SERVER_CONTRACT.accept;

/** The formats the server can produce (`--format`), in the contract's order. */
export const OUTPUT_FORMATS = Object.keys(ACCEPT_BY_FORMAT) as readonly OutputFormat[];

/** The format the server answers with when a request names none (json). */
export const DEFAULT_FORMAT = SERVER_CONTRACT.defaultFormat as OutputFormat;

/** The fields of the server's JSON result that the CLIs use (the rest is passed through untouched). */
export interface TranscriptJson {
  readonly text: string;
  readonly language?: string;
  /** How sure the model is of `language`: 1 when the request named it. */
  readonly language_probability?: number;
  /** false for an English-only model, whose `language` is always en whatever was spoken. */
  readonly multilingual?: boolean;
  /** Audio length in seconds. */
  readonly duration?: number;
  /** Seconds the server spent transcribing. */
  readonly processing_seconds?: number;
  /** Timed segments; `speaker` is set when the request asked for speaker labels. */
  readonly segments?: readonly { readonly text: string; readonly speaker?: string }[];
}

/** The parsed JSON result, or undefined when the body is not a JSON object with a string `text`. */
export function parseTranscriptJson(body: string): TranscriptJson | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object" && typeof (parsed as TranscriptJson).text === "string") {
      return parsed as TranscriptJson;
    }
  } catch {
    // not JSON: the caller falls back to the raw body
  }
  return undefined;
}

/**
 * The JSON transcript of a `json` result (undefined for the other formats). A `json` result that is not the
 * server's JSON transcript breaks the contract, so it is a failed job, not a transcript to print.
 */
export function transcriptJsonOf(body: string, format: OutputFormat): TranscriptJson | undefined {
  if (format !== "json") return undefined;
  const json = parseTranscriptJson(body);
  if (!json) {
    const start = body.length > 200 ? `${body.slice(0, 200)}...` : body;
    throw new JobFailedError(
      `the result is not the JSON transcript that --format json asks for: ${JSON.stringify(start)}`,
    );
  }
  return json;
}

/** What a person wants to read: the `text` of a JSON result, the body itself for the text formats. */
export function readableTranscript(body: string, format: OutputFormat): string {
  if (format !== "json") return body;
  const json = parseTranscriptJson(body);
  if (!json) return body;
  return speakerTurns(json) ?? json.text.trim();
}

/** `S1: ...` lines, one per speaker turn, when the segments carry speaker labels; else undefined. */
function speakerTurns(json: TranscriptJson): string | undefined {
  const segments = json.segments ?? [];
  if (!segments.some((segment) => typeof segment.speaker === "string")) return undefined;
  const turns: { speaker?: string; texts: string[] }[] = [];
  for (const segment of segments) {
    const last = turns.at(-1);
    if (last && last.speaker === segment.speaker) last.texts.push(segment.text);
    else turns.push({ speaker: segment.speaker, texts: [segment.text] });
  }
  return turns.map((turn) => `${turn.speaker ?? "?"}: ${turn.texts.join(" ")}`).join("\n");
}

/** Longest failure text shown as-is; a huge failure object (an HTML error page, say) is cut here. */
const MAX_FAILURE_CHARS = 2000;

/**
 * A one-line explanation from an error payload: the server's `{"error": code, "message": text}` (also when
 * SageMaker wraps it in its own text, as async failure objects do), else the raw text, trimmed.
 */
export function describeFailure(raw: string): string {
  const candidates = [raw];
  const start = raw.indexOf("{");
  const end = raw.lastIndexOf("}");
  if (start > 0 && end > start) candidates.push(raw.slice(start, end + 1));
  for (const candidate of candidates) {
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (parsed && typeof parsed === "object") {
        const { error, message } = parsed as { error?: unknown; message?: unknown };
        if (typeof message === "string" && typeof error === "string") return `${message} (${error})`;
        if (typeof message === "string") return message;
        if (typeof error === "string") return error;
      }
    } catch {
      // not JSON; try the next candidate
    }
  }
  const text = raw.trim();
  if (!text) return "the endpoint reported a failure with an empty message";
  return text.length > MAX_FAILURE_CHARS ? `${text.slice(0, MAX_FAILURE_CHARS)}...` : text;
}
