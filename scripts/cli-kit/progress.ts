/**
 * Progress on stderr (stdout stays clean for results): for a job, a spinner redrawn in place on a terminal and plain
 * timestamped lines every few seconds otherwise (CI logs, pipes), so neither floods the other; for a transfer,
 * throttled lines with percent and rate. One formatter each for durations and sizes.
 */
const SPINNER_FRAMES = ["|", "/", "-", "\\"];
const SPINNER_INTERVAL_MS = 120;
/** Without a terminal, how often a "still waiting" line is written. */
export const PLAIN_LINE_INTERVAL_MS = 10_000;

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** `12.3 s` below a minute, then `4m05s`, then `2h05m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  return hours > 0 ? `${hours}h${String(minutes).padStart(2, "0")}m` : `${minutes}m${String(rest).padStart(2, "0")}s`;
}

/** Spinner or heartbeat lines for one job; `update` changes the status text, `stop` clears the spinner. */
export class WaitIndicator {
  private status = "";
  private frame = 0;
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;
  private lastPlainStatus = "";
  private stopped = false;

  constructor(
    private readonly label: string,
    private readonly stream: ProgressStream = process.stderr,
  ) {
    const interactive = Boolean(stream.isTTY);
    this.timer = setInterval(() => this.tick(false), interactive ? SPINNER_INTERVAL_MS : PLAIN_LINE_INTERVAL_MS);
    this.timer.unref();
  }

  update(status: string): void {
    if (this.stopped) return;
    this.status = status;
    // Plain mode writes a line when the phase changes (not for every upload percent), then every few seconds.
    const phase = status.replace(/\s*\d+%$/, "");
    if (!this.stream.isTTY && phase !== this.lastPlainStatus) this.tick(true);
    else if (this.stream.isTTY) this.tick(false);
  }

  /** Clears the spinner line; later calls do nothing, so `finally` blocks may call it again. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    if (this.stream.isTTY) this.stream.write("\r\x1b[K");
  }

  private tick(phaseChanged: boolean): void {
    const elapsed = formatDuration((Date.now() - this.started) / 1000);
    if (this.stream.isTTY) {
      const spinner = SPINNER_FRAMES[this.frame++ % SPINNER_FRAMES.length];
      this.stream.write(`\r\x1b[K${spinner} ${this.label}: ${this.status} (${elapsed})`);
      return;
    }
    this.lastPlainStatus = this.status.replace(/\s*\d+%$/, "");
    const verb = phaseChanged ? "" : "still ";
    this.stream.write(`[${elapsed}] ${this.label}: ${verb}${this.status}\n`);
  }
}

/** Default time between two progress lines of one file, in milliseconds. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 5_000;

const MB = 1_000_000;

/** Formats bytes as decimal megabytes with one decimal, e.g. `3087.3 MB`. */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

/**
 * Throttled progress lines for a long transfer (package-model uploads and hashing): lines rather than a redrawn bar,
 * because the usual reader is a log (Pulumi's command resource), not a TTY.
 */
export class TransferProgress {
  private readonly startedAt: number;
  private lastReportAt: number;

  /**
   * @param write receives one line (without newline) per report.
   * @param label what is transferred, e.g. `model.bin`.
   * @param totalBytes expected size, for the percentage.
   * @param intervalMs minimum time between two lines; defaults to {@link DEFAULT_PROGRESS_INTERVAL_MS}.
   * @param now clock, injectable for tests.
   */
  constructor(
    private readonly write: (line: string) => void,
    private readonly label: string,
    private readonly totalBytes: number,
    private readonly intervalMs: number = DEFAULT_PROGRESS_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    this.lastReportAt = this.startedAt;
  }

  /** Reports `bytes` done so far, at most once per interval. */
  update(bytes: number): void {
    const at = this.now();
    if (at - this.lastReportAt < this.intervalMs) return;
    this.lastReportAt = at;
    const percent = this.totalBytes > 0 ? ((100 * bytes) / this.totalBytes).toFixed(1) : "100.0";
    this.write(
      `${this.label}: ${percent}% ${formatMegabytes(bytes)} of ${formatMegabytes(this.totalBytes)}, ${this.rate(bytes, at)}`,
    );
  }

  /** The closing line for a finished transfer. */
  finish(verb: string): void {
    const at = this.now();
    const seconds = formatDuration((at - this.startedAt) / 1000);
    this.write(
      `${verb} ${this.label}: ${formatMegabytes(this.totalBytes)} in ${seconds}, ${this.rate(this.totalBytes, at)}`,
    );
  }

  private rate(bytes: number, at: number): string {
    const seconds = Math.max((at - this.startedAt) / 1000, 0.001);
    return `${(bytes / MB / seconds).toFixed(1)} MB/s`;
  }
}
