/**
 * Throttled progress lines for long transfers (stderr; stdout is reserved for the result URI).
 * Lines rather than a redrawn bar, because the usual reader is a log (Pulumi's command resource), not a TTY.
 */

/** Default time between two progress lines of one file, in milliseconds. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 5_000;

const MB = 1_000_000;

/** Formats bytes as decimal megabytes with one decimal, e.g. `3087.3 MB`. */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

export class ProgressReporter {
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
    const seconds = ((at - this.startedAt) / 1000).toFixed(1);
    this.write(
      `${verb} ${this.label}: ${formatMegabytes(this.totalBytes)} in ${seconds} s, ${this.rate(this.totalBytes, at)}`,
    );
  }

  private rate(bytes: number, at: number): string {
    const seconds = Math.max((at - this.startedAt) / 1000, 0.001);
    return `${(bytes / MB / seconds).toFixed(1)} MB/s`;
  }
}
