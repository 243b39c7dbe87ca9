/**
 * The option rules of the server's contract, one set for every caller: the entry point's callers (option names, as
 * in code) and the CLIs (their flags, options.ts) check through here, and the Python client (whisper_async_client/
 * options.py) applies the same rules, tested on the same cases (clients/option-cases.json). Known names, types,
 * ranges, choices, lengths and patterns come from the contract; the speaker options' combinations are the server's.
 */
import { UsageError } from "./errors";
import type { DecodingOptions } from "./options";
import { SERVER_OPTIONS, type ServerOption, type ServerOptionName } from "./server-contract";

function problem(value: unknown, option: ServerOption): string | undefined {
  switch (option.type) {
    case "boolean":
      return typeof value === "boolean" ? undefined : "must be true or false";
    case "integer":
    case "number": {
      const integer = option.type === "integer";
      if (typeof value !== "number" || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
        return integer ? "must be an integer" : "must be a number";
      }
      const low = option.minimum ?? -Infinity;
      const high = option.maximum ?? Infinity;
      return value < low || value > high ? `must be from ${low} to ${high}` : undefined;
    }
    default:
      if (typeof value !== "string") return "must be a string";
      if (option.enum && !option.enum.includes(value)) return `must be one of ${option.enum.join(", ")}`;
      if (value.length < (option.minLength ?? 1) || value.length > (option.maxLength ?? Infinity)) {
        return `must be ${option.minLength ?? 1} to ${option.maxLength} characters`;
      }
      return option.pattern && !new RegExp(option.pattern).test(value) ? `must match ${option.pattern}` : undefined;
  }
}

/** How a caller names the options in messages: `speakers` in code, `--speakers` on the command line. */
export interface OptionNaming {
  readonly name: (option: ServerOptionName) => string;
  /** How the caller turns speaker labels off: `diarize=false`, `--no-diarize`. */
  readonly diarizeOff: string;
}

const IN_CODE: OptionNaming = { name: (option) => option, diarizeOff: "diarize=false" };

/**
 * The speaker options' combinations (with each other and with `channels`), as the server checks them (so a bad one fails before the upload). Returns
 * `decoding` with `diarize: true` added when a speaker count is given without it, as the server reads it.
 */
export function checkSpeakerOptions(decoding: DecodingOptions, naming: OptionNaming = IN_CODE): DecodingOptions {
  const { diarize, speakers, min_speakers: low, max_speakers: high } = decoding;
  const { name } = naming;
  const given = (value: unknown) => value !== undefined && value !== null;
  const counted = given(speakers) || given(low) || given(high);
  if (counted && diarize === false) {
    throw new UsageError(
      `${name("speakers")}, ${name("min_speakers")} and ${name("max_speakers")} need speaker labels; ` +
        `drop ${naming.diarizeOff}`,
    );
  }
  if (given(speakers) && (given(low) || given(high))) {
    throw new UsageError(
      `give either ${name("speakers")} or ${name("min_speakers")}/${name("max_speakers")}, not both`,
    );
  }
  if (given(low) && given(high) && low! > high!) {
    throw new UsageError(`${name("min_speakers")} (${low}) must not exceed ${name("max_speakers")} (${high})`);
  }
  if (decoding.channels === "separate" && (counted || diarize === true)) {
    throw new UsageError(
      `${name("channels")} separate labels each channel's speech with its own speaker; ` +
        `drop ${name("diarize")} and the speaker counts`,
    );
  }
  return counted && !given(diarize) ? { ...decoding, diarize: true } : decoding;
}

/**
 * Returns `decoding` when every option is one the server accepts (with `diarize: true` added for a speaker count);
 * else throws a UsageError naming the option.
 */
export function checkDecodingOptions(decoding: DecodingOptions): DecodingOptions {
  for (const [name, value] of Object.entries(decoding)) {
    if (value === undefined || value === null) continue; // absent: the server's default
    const option: ServerOption | undefined = SERVER_OPTIONS[name as ServerOptionName];
    if (!option) {
      throw new UsageError(`unknown option ${name}; the server accepts ${Object.keys(SERVER_OPTIONS).join(", ")}`);
    }
    const why = problem(value, option);
    if (why) throw new UsageError(`option ${name} ${why}, got ${JSON.stringify(value)}`);
  }
  return checkSpeakerOptions(decoding);
}
