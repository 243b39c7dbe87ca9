/** The reporting window of `npm run cost`: whole UTC days, from `--since Nd` to today. */
import { UsageError } from "../../clients/typescript/src/errors";

const DAY_MS = 86_400_000;
/** CloudWatch keeps hourly data (enough for daily sums) for 455 days. */
export const MAX_DAYS = 455;
export const DEFAULT_SINCE = "7d";

export interface DayWindow {
  /** `YYYY-MM-DD` of each UTC day, oldest first; the last one is today (still running). */
  readonly days: readonly string[];
  /** Midnight UTC of the first day. */
  readonly start: Date;
  /** Midnight UTC after today, so every day is one whole 86,400 s period. */
  readonly end: Date;
}

/** `7d` -> the 7 UTC days ending today (today included). Anything else is a UsageError naming --since. */
export function parseSince(raw: string, now: Date = new Date()): DayWindow {
  const match = /^(\d+)d$/.exec(raw.trim());
  const count = match ? Number(match[1]) : NaN;
  if (!Number.isInteger(count) || count < 1 || count > MAX_DAYS) {
    throw new UsageError(`--since must be a number of days from 1d to ${MAX_DAYS}d (e.g. 7d), got "${raw}"`);
  }
  const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const start = new Date(tomorrow - count * DAY_MS);
  const days = Array.from({ length: count }, (_, i) => dayKey(new Date(start.getTime() + i * DAY_MS)));
  return { days, start, end: new Date(tomorrow) };
}

/** The UTC day a timestamp falls in, `YYYY-MM-DD`. */
export function dayKey(time: Date): string {
  return time.toISOString().slice(0, 10);
}
