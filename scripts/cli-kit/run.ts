/** How every CLI here ends: the error -> exit code runner, and what SIGINT/SIGTERM do. */
import { parseCli, type CliSpec, type ParsedCli } from "./args";
import { CliError, ExitCode, exitCodeFor, messageOf } from "../../clients/typescript/src/errors";

/** How long a CLI that cleans up on a signal (npm start stops its server) may take before it is ended. */
export const SIGNAL_GRACE_MS = 15_000;

export interface RunOptions {
  /** For a CLI that cleans up on a signal itself: how long it may take before the signal ends it. Default 0. */
  readonly signalGraceMs?: number;
  /**
   * Let Node exit once nothing is pending instead of at once. For package-model: S3 uploads it aborted send their
   * AbortMultipartUpload after the upload's promise has settled. Default false: the client CLIs exit at once, even
   * with a request to a server that stopped answering still open.
   */
  readonly waitForPendingWork?: boolean;
}

/**
 * Runs a CLI's main function and turns its outcome into the process exit code: the returned code, or for a
 * thrown error `<label>: <message>` on stderr and the code from exitCodeFor (usage/timeout 2, failures 1). The
 * process then exits (see {@link RunOptions}), and SIGTERM/SIGINT always end it (see {@link exitOnSignals}).
 */
export function runMain(main: () => Promise<number>, options: RunOptions = {}): void {
  exitOnSignals(options.signalGraceMs ?? 0);
  const end = (code: number) => (options.waitForPendingWork ? (process.exitCode = code) : exitWith(code));
  main().then(end, (error: unknown) => {
    console.error(`${error instanceof CliError ? error.label : "error"}: ${messageOf(error)}`);
    end(exitCodeFor(error));
  });
}

/** {@link runMain} for a CLI described by `spec`: parses the process's arguments first; `--help` prints and exits 0. */
export function runCommand(
  spec: CliSpec,
  main: (parsed: ParsedCli) => Promise<number>,
  options: RunOptions = {},
): void {
  runMain(async () => {
    const parsed = parseCli(spec, process.argv.slice(2));
    return parsed ? main(parsed) : ExitCode.Ok;
  }, options);
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

/** What {@link interruptOnSignals} hands a CLI that cleans up on a signal. */
export interface Interruption {
  /** Aborted by the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** Which signal came, once one did. */
  received(): NodeJS.Signals | undefined;
}

/**
 * Aborts an AbortSignal on the first SIGINT or SIGTERM (after calling `onSignal`), so the work in progress can stop
 * cleanly; pair it with {@link runMain}'s `signalGraceMs`, which ends the process if the clean-up hangs.
 */
export function interruptOnSignals(onSignal?: (signal: NodeJS.Signals) => void): Interruption {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  for (const name of ["SIGINT", "SIGTERM"] as const) {
    process.once(name, () => {
      received = name;
      onSignal?.(name);
      controller.abort();
    });
  }
  return { signal: controller.signal, received: () => received };
}
