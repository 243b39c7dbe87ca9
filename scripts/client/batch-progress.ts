/**
 * Batch progress on stderr: on a terminal one bar redrawn in place (done/failed/total, audio, ETA);
 * otherwise one line per finished file, which reads well in CI logs. The ETA weighs files by their size, which
 * grows with the audio's length at a given encoding: a batch of short clips with one hour-long file left is not
 * "almost done" (the length itself is only known once the server has decoded a file).
 */
import { formatDuration, type ProgressStream } from "../cli-kit/progress";

const BAR_WIDTH = 24;
/** Fewest milliseconds between two redraws of the bar, so many fast files do not spam the terminal. */
const REDRAW_INTERVAL_MS = 100;

export class BatchProgress {
  private done = 0;
  private failed = 0;
  private finishedBytes = 0;
  private audioSeconds = 0;
  private readonly running = new Set<string>();
  private readonly startedAt: number;
  private lastDraw = 0;

  /**
   * `total` counts the files to transcribe now (skipped ones excluded), `totalBytes` their sizes; with 0 (sizes
   * unknown) the ETA counts files.
   */
  constructor(
    private readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
    private readonly totalBytes: number = 0,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  get audioSecondsDone(): number {
    return this.audioSeconds;
  }

  began(name: string): void {
    this.running.add(name);
    this.draw(false);
  }

  /**
   * `bytes`: the file's size, for the ETA; `language`: the detected language as the result says it (`ja
   * (probability 0.99)`), when it does (JSON results).
   */
  succeeded(
    name: string,
    audioSeconds: number | undefined,
    seconds: number,
    bytes: number = 0,
    language?: string,
  ): void {
    this.running.delete(name);
    this.done++;
    this.finishedBytes += bytes;
    this.audioSeconds += audioSeconds ?? 0;
    const audio = audioSeconds === undefined ? "" : `${formatDuration(audioSeconds)} audio, `;
    const spoken = language === undefined ? "" : `, language ${language}`;
    this.line(`done ${name} (${audio}${formatDuration(seconds)}${spoken})`);
  }

  failedWith(name: string, message: string, bytes: number = 0): void {
    this.running.delete(name);
    this.failed++;
    this.finishedBytes += bytes;
    this.line(`FAILED ${name}: ${message}`);
  }

  /** Ends the bar's line on a terminal. */
  finish(): void {
    if (this.stream.isTTY) {
      this.draw(true);
      this.stream.write("\n");
    }
  }

  /** `12/40 done, 1 failed, 2h05m audio, ETA 14m10s` */
  summary(): string {
    const finished = this.done + this.failed;
    const parts = [`${finished}/${this.total} finished`, `${this.done} done`, `${this.failed} failed`];
    if (this.audioSeconds > 0) parts.push(`${formatDuration(this.audioSeconds)} audio`);
    const remaining = this.total - finished;
    const [doneWork, leftWork] =
      this.totalBytes > 0 && this.finishedBytes > 0
        ? [this.finishedBytes, this.totalBytes - this.finishedBytes]
        : [finished, remaining];
    if (remaining > 0 && doneWork > 0) {
      const elapsed = (this.now() - this.startedAt) / 1000;
      parts.push(`ETA ${formatDuration((elapsed / doneWork) * leftWork)}`);
    }
    return parts.join(", ");
  }

  private line(event: string): void {
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[K${event}\n`);
      this.draw(true);
    } else {
      this.stream.write(`[${this.done + this.failed}/${this.total}] ${event}\n`);
    }
  }

  private draw(force: boolean): void {
    if (!this.stream.isTTY) return;
    const now = this.now();
    if (!force && now - this.lastDraw < REDRAW_INTERVAL_MS) return;
    this.lastDraw = now;
    const finished = this.done + this.failed;
    const filled = this.total === 0 ? BAR_WIDTH : Math.round((BAR_WIDTH * finished) / this.total);
    const bar = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
    const running = this.running.size > 0 ? ` | ${[...this.running].join(", ")}` : "";
    const columns = (this.stream as { columns?: number }).columns ?? 120;
    this.stream.write(`\r\x1b[K${`${bar} ${this.summary()}${running}`.slice(0, columns - 1)}`);
  }
}
