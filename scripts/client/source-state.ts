/**
 * Whether a source file stayed the same while it was read and transcribed. A file still being written (a recorder
 * appending to it) would otherwise be transcribed as it stood, saved as done, and skipped by every later run:
 * part of a recording passed off as all of it. Its size and modification time are taken before it is sent and
 * after its result arrives; any difference means the result is of some other version of the file.
 */
import { stat } from "node:fs/promises";

/** The size and modification time of a file at one moment. */
export interface SourceState {
  readonly size: number;
  readonly mtimeMs: number;
}

/** `path`'s size and modification time now (rejects as `stat` does). */
export async function sourceState(path: string): Promise<SourceState> {
  const info = await stat(path);
  return { size: info.size, mtimeMs: info.mtimeMs };
}

/** A source that changed between `before` and `after`; its result is not written. */
export class SourceChangedError extends Error {
  override readonly name: string = "SourceChangedError";
}

/** Throws {@link SourceChangedError} when `after` differs from `before`, saying how. */
export function assertUnchanged(before: SourceState, after: SourceState): void {
  if (before.size === after.size && before.mtimeMs === after.mtimeMs) return;
  const how =
    before.size === after.size
      ? `was modified (${new Date(after.mtimeMs).toISOString()})`
      : `went from ${before.size} to ${after.size} bytes`;
  throw new SourceChangedError(
    `changed while it was read or transcribed (it ${how}; still being written?): result not written, the next run ` +
      "sends it again",
  );
}

/** Seconds since `state`'s modification, at `nowMs`. */
export function secondsSinceModified(state: SourceState, nowMs: number = Date.now()): number {
  return (nowMs - state.mtimeMs) / 1000;
}

/** A planned file left out because it was modified too recently. */
export interface RecentSource<T> {
  readonly item: T;
  readonly secondsAgo: number;
}

/**
 * Splits `items` into those whose source was last modified at least `minAgeSeconds` ago and those modified more
 * recently (probably still being written). A source that cannot be read stays in `settled`, to fail with its reason.
 */
export async function settledSources<T extends { readonly source: string }>(
  items: readonly T[],
  minAgeSeconds: number,
  nowMs: number = Date.now(),
): Promise<{ settled: T[]; recent: RecentSource<T>[] }> {
  const settled: T[] = [];
  const recent: RecentSource<T>[] = [];
  if (minAgeSeconds <= 0) return { settled: [...items], recent };
  const states = await Promise.all(items.map((item) => sourceState(item.source).catch(() => undefined)));
  items.forEach((item, index) => {
    const state = states[index];
    const secondsAgo = state === undefined ? Infinity : secondsSinceModified(state, nowMs);
    if (secondsAgo < minAgeSeconds) recent.push({ item, secondsAgo });
    else settled.push(item);
  });
  return { settled, recent };
}
