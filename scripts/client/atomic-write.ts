/** Writes a result so that it is either absent or complete: temp file next to it, then rename. */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** `.` + `.` + 12 hex + `.partial`: the bytes a temp name adds to the part of the result's name it keeps. */
const TEMP_SUFFIX_BYTES = 1 + 1 + 12 + ".partial".length;
/** A temp name may always be this long (a result named `a.txt` still gets a readable temp name). */
const MIN_TEMP_NAME_BYTES = 48;

/** The longest start of `text` that is at most `maxBytes` in UTF-8, cut between characters. */
function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > maxBytes) break;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * The hidden temp name for result `name`: `.<start of name>.<12 hex>.partial`, never longer (in UTF-8 bytes, what
 * file systems limit) than `name` itself or 48 bytes, so it fits wherever the result's name fits, also a
 * 250-byte name where the file system allows 255.
 */
export function tempNameFor(name: string): string {
  const budget = Math.max(Buffer.byteLength(name), MIN_TEMP_NAME_BYTES) - TEMP_SUFFIX_BYTES;
  return `.${truncateUtf8(name, budget)}.${randomBytes(6).toString("hex")}.partial`;
}

/**
 * Writes `content` to `path` atomically. The temp file sits in the same directory (same filesystem, so the
 * rename is atomic), starts with a dot, so directory walks and resume checks never take it for a result, and is
 * created exclusively, so two writers never share one.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), tempNameFor(basename(path)));
  try {
    await writeFile(temp, content, { flag: "wx" });
    await rename(temp, path);
  } catch (error) {
    // A failed exclusive create means another writer's file: leave it alone.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") await rm(temp, { force: true });
    throw error;
  }
}
