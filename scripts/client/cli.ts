/** Argument parsing with generated `--help`, typed option readers, and the error -> exit code wrapper. */
import { parseArgs } from "node:util";
import { JobFailedError, UsageError, WaitTimeoutError, exitCodeFor, messageOf } from "./errors";

/** One command-line option: what `node:util` parseArgs needs plus the help text. */
export interface CliOption {
  readonly type: "string" | "boolean";
  /** Placeholder shown in the help, e.g. `FILE`. */
  readonly value?: string;
  /** One line; state the default. */
  readonly help: string;
  /** Boolean options that can be turned off explicitly (`--no-vad`). */
  readonly negatable?: boolean;
}

export type CliOptions = Readonly<Record<string, CliOption>>;
export type CliValues = Readonly<Record<string, string | boolean | undefined>>;

export interface CliSpec {
  /** First line(s) of the help, e.g. `Usage: npm run smoke -- [options]`. */
  readonly usage: string;
  readonly options: CliOptions;
  /** Whether positional arguments are accepted (files for the batch CLI). */
  readonly positionals?: boolean;
}

const HELP_OPTION: CliOption = { type: "boolean", help: "Show this help and exit." };

/** The help text: usage, then one aligned line per option. */
export function formatHelp(spec: CliSpec): string {
  const options = { ...spec.options, help: HELP_OPTION };
  const rows = Object.entries(options).map(([name, option]) => {
    const flag = option.negatable ? `--[no-]${name}` : `--${name}`;
    return [option.value ? `${flag} ${option.value}` : flag, option.help];
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return [spec.usage, "", "Options:", ...rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`)].join("\n");
}

/**
 * Parses argv (without node and script). Returns undefined after printing the help for `--help`;
 * throws UsageError for unknown flags, missing values and stray positionals.
 */
export function parseCli(
  spec: CliSpec,
  argv: readonly string[],
): { values: CliValues; positionals: string[] } | undefined {
  const options = Object.fromEntries(
    Object.entries({ ...spec.options, help: HELP_OPTION }).map(([name, option]) => [name, { type: option.type }]),
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
    console.log(formatHelp(spec));
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

/** A number option within [min, max] (integer unless `integer: false`), or undefined when absent. */
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
  if (!inRange || (integer && !Number.isInteger(value))) {
    const range = bounds.max === undefined ? `>= ${bounds.min}` : `between ${bounds.min} and ${bounds.max}`;
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

/**
 * Runs a CLI's main function and turns its outcome into the process exit code: the returned code, or for a
 * thrown error its message on stderr and the code from exitCodeFor (usage/timeout 2, failures 1). The process
 * then exits even if a request to a server that stopped answering is still open, and SIGTERM/SIGINT always
 * end it (see {@link exitOnSignals}); a CLI that cleans up on a signal itself passes `signalGraceMs`.
 */
export function runMain(main: () => Promise<number>, signalGraceMs: number = 0): void {
  exitOnSignals(signalGraceMs);
  main().then(
    (code) => exitWith(code),
    (error: unknown) => {
      console.error(`${labelFor(error)}: ${messageOf(error)}`);
      exitWith(exitCodeFor(error));
    },
  );
}

/** Sets the exit code and exits once stdout and stderr have taken everything written to them. */
function exitWith(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}

/** How long a CLI that cleans up on a signal (npm start stops its server) may take before it is ended. */
export const SIGNAL_GRACE_MS = 15_000;

/**
 * Makes SIGTERM and SIGINT end the process whatever it is doing, at once or after `graceMs` (for a CLI whose own
 * handler cleans up first). Node's own exit can hang when a file read is stuck in its thread pool (a FIFO), so the
 * signal is re-raised with its default action, which the kernel carries out: the exit status is 128 + signal.
 */
export function exitOnSignals(graceMs: number = 0): void {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      const end = () => {
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
      };
      if (graceMs > 0) {
        setTimeout(end, graceMs).unref();
        return;
      }
      console.error(`stopped by ${signal}`);
      end();
    });
  }
}

function labelFor(error: unknown): string {
  if (error instanceof UsageError) return "usage error";
  if (error instanceof WaitTimeoutError) return "timed out";
  if (error instanceof JobFailedError) return "transcription failed";
  return "error";
}
