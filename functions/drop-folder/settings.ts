/**
 * The functions' settings, set by the stack as environment variables (components/drop-folder.ts) and checked once
 * when a function starts, with messages naming the variable.
 */
import { FORMATS, type Format, type Layout } from "./layout";

export interface DropFolderSettings extends Layout {
  /** The stack's bucket (DROP_BUCKET). */
  readonly bucket: string;
  /** The asynchronous endpoint recordings are submitted to (DROP_ENDPOINT_NAME). */
  readonly endpointName: string;
  /** Result files written for each recording (DROP_FORMATS, comma-separated, e.g. `json,srt,vtt,txt`). */
  readonly formats: readonly Format[];
  /** The stack's default options, `key=value;key=value` (DROP_OPTIONS; empty: the server's defaults). */
  readonly defaultOptions: string;
}

/** The environment variable of each setting. */
export const ENVIRONMENT = {
  bucket: "DROP_BUCKET",
  endpointName: "DROP_ENDPOINT_NAME",
  dropPrefix: "DROP_PREFIX",
  resultsPrefix: "DROP_RESULTS_PREFIX",
  claimsPrefix: "DROP_CLAIMS_PREFIX",
  stagingPrefix: "DROP_STAGING_PREFIX",
  formats: "DROP_FORMATS",
  defaultOptions: "DROP_OPTIONS",
} as const satisfies Record<keyof DropFolderSettings, string>;

/**
 * The environment variables carrying `settings`: what the stack sets on the functions and {@link loadSettings}
 * reads back. The bucket may be a value known only at deploy time (`B`, a Pulumi output).
 */
export function environmentOf<B>(
  settings: Omit<DropFolderSettings, "bucket"> & { readonly bucket: B },
): Record<string, B | string> {
  return {
    [ENVIRONMENT.bucket]: settings.bucket,
    [ENVIRONMENT.endpointName]: settings.endpointName,
    [ENVIRONMENT.dropPrefix]: settings.dropPrefix,
    [ENVIRONMENT.resultsPrefix]: settings.resultsPrefix,
    [ENVIRONMENT.claimsPrefix]: settings.claimsPrefix,
    [ENVIRONMENT.stagingPrefix]: settings.stagingPrefix,
    [ENVIRONMENT.formats]: settings.formats.join(","),
    [ENVIRONMENT.defaultOptions]: settings.defaultOptions,
  };
}

/** The formats of a comma-separated list; throws naming `source` on an unknown or repeated one, or none. */
export function parseFormats(list: string, source: string): Format[] {
  const names = list
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(FORMATS as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0 || new Set(names).size !== names.length) {
    throw new Error(`${source} must list distinct formats of ${FORMATS.join(", ")}, got "${list}"`);
  }
  return names as Format[];
}

/** Reads and checks the settings from `env` (default: the process environment). */
export function loadSettings(env: Record<string, string | undefined> = process.env): DropFolderSettings {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is not set`);
    return value;
  };
  const prefix = (name: string): string => {
    const value = required(name);
    if (!value.endsWith("/") || value.startsWith("/")) {
      throw new Error(`${name} must be a key prefix ending in '/' (no leading '/'), got "${value}"`);
    }
    return value;
  };
  return {
    bucket: required(ENVIRONMENT.bucket),
    endpointName: required(ENVIRONMENT.endpointName),
    dropPrefix: prefix(ENVIRONMENT.dropPrefix),
    resultsPrefix: prefix(ENVIRONMENT.resultsPrefix),
    claimsPrefix: prefix(ENVIRONMENT.claimsPrefix),
    stagingPrefix: prefix(ENVIRONMENT.stagingPrefix),
    formats: parseFormats(required(ENVIRONMENT.formats), ENVIRONMENT.formats),
    defaultOptions: env[ENVIRONMENT.defaultOptions] ?? "",
  };
}
