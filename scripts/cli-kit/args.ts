/** Argument parsing (`node:util` parseArgs) with generated `--help`, and typed, validated option readers. */
import { parseArgs } from "node:util";
import { UsageError, messageOf } from "../../clients/typescript/src/errors";

/** One command-line option: what `node:util` parseArgs needs plus the help text. */
export interface CliOption {
  readonly type: "string" | "boolean";
  /** Placeholder shown in the help, e.g. `FILE`. */
  readonly value?: string;
  /** One line; state the default. */
  readonly help: string;
  /** Boolean options that can be turned off explicitly (`--no-vad`). */
  readonly negatable?: boolean;
  /** A one-letter alias, e.g. `h` for `-h`. */
  readonly short?: string;
}

export type CliOptions = Readonly<Record<string, CliOption>>;
export type CliValues = Readonly<Record<string, string | boolean | undefined>>;

export interface CliSpec {
  /** First line(s) of the help, e.g. `Usage: npm run smoke -- [options]`. */
  readonly usage: string;
  readonly options: CliOptions;
  /** Text after the options (environment variables, exit codes). Default: none. */
  readonly notes?: string;
  /** Whether positional arguments are accepted (files for the batch CLI). Default false. */
  readonly positionals?: boolean;
}

export interface ParsedCli {
  readonly values: CliValues;
  readonly positionals: string[];
}

/** `--help`, added to every spec; a spec may declare its own `help` entry (package-model adds `-h`). */
const HELP_OPTION: CliOption = { type: "boolean", help: "Show this help and exit." };

function withHelp(spec: CliSpec): CliOptions {
  return { ...spec.options, help: spec.options.help ?? HELP_OPTION };
}

/** The help text: usage, then one aligned line per option, then the notes. */
export function formatHelp(spec: CliSpec): string {
  const rows = Object.entries(withHelp(spec)).map(([name, option]) => {
    const long = option.negatable ? `--[no-]${name}` : `--${name}`;
    const flag = option.short ? `-${option.short}, ${long}` : long;
    return [option.value ? `${flag} ${option.value}` : flag, option.help];
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  const lines = rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`);
  return [spec.usage, "", "Options:", ...lines, ...(spec.notes ? ["", spec.notes] : [])].join("\n");
}

/**
 * Parses argv (without node and script). Returns undefined after writing the help to `printHelp` (default stdout)
 * for `--help`; throws UsageError for unknown flags, missing values and stray positionals.
 */
export function parseCli(
  spec: CliSpec,
  argv: readonly string[],
  printHelp: (text: string) => void = (text) => console.log(text),
): ParsedCli | undefined {
  const options = Object.fromEntries(
    Object.entries(withHelp(spec)).map(([name, { type, short }]) => [name, short ? { type, short } : { type }]),
  );
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options,
      allowPositionals: spec.positionals ?? false,
      allowNegative: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${messageOf(error)} (see --help)`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  for (const [name, value] of Object.entries(values)) {
    // allowNegative is global in parseArgs; only the options that mean something when off accept --no-.
    if (value === false && !spec.options[name]?.negatable) throw new UsageError(`--no-${name} is not an option`);
  }
  if (values.help) {
    printHelp(formatHelp(spec));
    return undefined;
  }
  return { values, positionals: parsed.positionals };
}

/** A string option, or undefined when absent; an empty value is a usage error. */
export function stringOption(values: CliValues, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`--${name} needs a non-empty value`);
  return value;
}

/** A boolean flag: true, false (`--no-name`) or undefined when not given (the server's default applies). */
export function booleanOption(values: CliValues, name: string): boolean | undefined {
  const value = values[name];
  return typeof value === "boolean" ? value : undefined;
}

/**
 * A number option within [min, max], or undefined when absent. Integers (the default; `integer: false` allows
 * fractions) are plain decimal digits: `1e3`, `0x10` and `64.0` are refused rather than read as something else.
 */
export function numberOption(
  values: CliValues,
  name: string,
  bounds: { min: number; max?: number; integer?: boolean },
): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const integer = bounds.integer ?? true;
  const inRange = Number.isFinite(value) && value >= bounds.min && (bounds.max === undefined || value <= bounds.max);
  if (!inRange || (integer && !/^\d+$/.test(raw))) {
    const range = bounds.max === undefined ? `>= ${bounds.min}` : `from ${bounds.min} to ${bounds.max}`;
    throw new UsageError(`--${name} must be ${integer ? "an integer" : "a number"} ${range}, got "${raw}"`);
  }
  return value;
}

/** One of a fixed set of values, or undefined when absent. */
export function choiceOption<T extends string>(values: CliValues, name: string, choices: readonly T[]): T | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${choices.join(", ")}, got "${raw}"`);
  }
  return raw as T;
}
