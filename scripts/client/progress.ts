/**
 * Progress on stderr (stdout stays clean for the transcript): a spinner redrawn in place on a terminal,
 * plain timestamped lines every few seconds otherwise (CI logs, pipes), so neither floods the other.
 */
const SPINNER_FRAMES = ["|", "/", "-", "\\"];
const SPINNER_INTERVAL_MS = 120;
/** Without a terminal, how often a "still waiting" line is written. */
export const PLAIN_LINE_INTERVAL_MS = 10_000;

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

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
