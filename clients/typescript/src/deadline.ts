/**
 * The overall `--timeout` of one job, and a deadline for every AWS call inside it. An SDK call has no time
 * limit of its own: against an S3 or SageMaker endpoint that accepted the connection and then stopped answering,
 * `send` would wait forever, and so would the CLI. Each call here is aborted at the earlier of the job's deadline
 * and its own cap.
 */
import { WaitTimeoutError } from "./errors";

/** Longest a single status check (HeadObject) may take before it counts as a hung endpoint. Defaults apply. */
export const CHECK_CALL_CAP_MS = 30_000;

export class Deadline {
  private readonly endsAt: number;

  /** `totalSeconds` from now (or from `startedMs`, a Date.now() value). */
  constructor(
    readonly totalSeconds: number,
    startedMs: number = Date.now(),
  ) {
    this.endsAt = startedMs + totalSeconds * 1000;
  }

  /** Milliseconds left, 0 once passed. */
  remainingMs(): number {
    return Math.max(0, this.endsAt - Date.now());
  }

  /**
   * Runs one call with an AbortSignal that fires at the deadline or after `capMs`, whichever comes first. A call
   * aborted that way becomes a WaitTimeoutError naming `step` (exit code 2); other errors pass unchanged.
   */
  async call<T>(step: string, action: (signal: AbortSignal) => Promise<T>, capMs: number = Infinity): Promise<T> {
    const budgetMs = Math.min(capMs, this.remainingMs());
    const signal = AbortSignal.timeout(Math.max(1, budgetMs));
    try {
      return await action(signal);
    } catch (error) {
      if (!signal.aborted) throw error;
      const limit =
        budgetMs < this.remainingMs()
          ? `${Math.round(budgetMs / 1000)} s (the limit for one call)`
          : `the --timeout of ${this.totalSeconds} s`;
      throw new WaitTimeoutError(`${step}: no answer within ${limit}`, { cause: error });
    }
  }
}
