/**
 * The decoding options of one recording: the stack's defaults, overridden key by key by the object's
 * `x-amz-meta-whisper-options` metadata, both in the server's own `key=value;key=value` syntax. The server owns the
 * options and checks their values; here only what is needed to merge them and send one header: known names, each
 * given once, and the header's length.
 */
import serverContract from "../../contract/server-contract.json";

/** The metadata key (S3 user metadata, sent as the `x-amz-meta-whisper-options` header). */
export const OPTIONS_METADATA_KEY = "whisper-options";
/** Longest options header SageMaker forwards (InvokeEndpointAsync CustomAttributes). */
export const MAX_OPTIONS_LENGTH = serverContract.optionsHeader.maxLength;
const KNOWN_OPTIONS: readonly string[] = Object.keys(serverContract.options.properties);

/** An option string that cannot be sent; `code` and `message` go into the recording's error file. */
export class OptionsError extends Error {
  readonly code = "bad_option";
}

/** The `key=value` pairs of an options string, in order; throws {@link OptionsError} naming `source`. */
export function parseOptionPairs(text: string, source: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const item of text.split(";")) {
    if (!item.trim()) continue;
    const separator = item.indexOf("=");
    if (separator < 0) throw new OptionsError(`${source}: expected key=value, got '${item.trim()}'`);
    const key = item.slice(0, separator).trim();
    const value = item.slice(separator + 1).trim();
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new OptionsError(`${source}: unknown option '${key}'; known options: ${KNOWN_OPTIONS.join(", ")}`);
    }
    if (pairs.some(([seen]) => seen === key)) throw new OptionsError(`${source}: option '${key}' given twice`);
    pairs.push([key, value]);
  }
  return pairs;
}

/**
 * The options header for one recording: `defaults` (the stack's) with each key the recording's own `metadata`
 * gives replaced or added. Empty when neither sets anything.
 */
export function mergeOptions(defaults: string, metadata: string | undefined): string {
  const merged = new Map(parseOptionPairs(defaults, "the stack's dropFolderOptions"));
  for (const [key, value] of parseOptionPairs(metadata ?? "", `metadata ${OPTIONS_METADATA_KEY}`)) {
    merged.set(key, value);
  }
  const header = [...merged].map(([key, value]) => `${key}=${value}`).join(";");
  if (header.length > MAX_OPTIONS_LENGTH) {
    throw new OptionsError(
      `the options are ${header.length} characters, more than the ${MAX_OPTIONS_LENGTH} SageMaker forwards: shorten them`,
    );
  }
  if (!/^[\x20-\x7e]*$/.test(header)) {
    throw new OptionsError("the options must be printable ASCII: percent-encode other characters (e.g. %C3%A9)");
  }
  return header;
}
