/**
 * Exponential backoff with jitter, for polling (waitFor, with an overall deadline, in the style of the AWS SDK's
 * `@smithy/util-waiter`) and for retries (package-model's hub requests): many clients polling the same bucket do not
 * fall into lockstep, and the last check happens at the deadline rather than a sleep before it.
 */
import { WaitTimeoutError } from "./errors";

export interface WaitOptions {
  /** Overall time budget in milliseconds. */
  readonly timeoutMs: number;
  /** Shortest pause between checks. Defaults to 1000 ms. */
  readonly minDelayMs?: number;
  /** Longest pause between checks. Defaults to 15000 ms. */
  readonly maxDelayMs?: number;
  /** Message of the WaitTimeoutError thrown when the budget runs out. */
  readonly timeoutMessage?: () => string;
  /** For tests: a random source in [0, 1), a sleep and a clock. Default Math.random, setTimeout, Date.now. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * The pause before retry number `attempt` (1-based): random in [min, min(max, base * 2^(attempt-1))], where `base`
 * defaults to `min` (a poll); a retry with full jitter passes min 0 and its own base.
 */
export function backoffDelay(
  attempt: number,
  minDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
  baseMs: number = minDelayMs,
): number {
  const ceiling = Math.min(maxDelayMs, baseMs * 2 ** (attempt - 1));
  return minDelayMs + random() * Math.max(0, ceiling - minDelayMs);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `check` until it returns a value other than undefined, and returns that value. Errors from `check`
 * propagate at once (only "not there yet" is retried). Throws WaitTimeoutError once `timeoutMs` has passed.
 */
export async function waitFor<T>(check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const minDelayMs = options.minDelayMs ?? 1000;
  const maxDelayMs = Math.max(minDelayMs, options.maxDelayMs ?? 15_000);
  const random = options.random ?? Math.random;
  const pause = options.sleep ?? sleep;
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const value = await check();
    if (value !== undefined) return value;
    const remaining = deadline - now();
    if (remaining <= 0) {
      throw new WaitTimeoutError(options.timeoutMessage?.() ?? `gave up after ${options.timeoutMs} ms`);
    }
    await pause(Math.min(remaining, backoffDelay(attempt, minDelayMs, maxDelayMs, random)));
  }
}
