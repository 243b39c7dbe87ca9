/**
 * Which files a batch transcribes and where each result goes. Results mirror the inputs' paths relative to
 * their common parent directory, so `a/x.wav` and `b/x.wav` become `a/x.json` and `b/x.json`; the mapping
 * depends only on the inputs, which makes re-runs find (and skip) earlier results.
 */
import { access, constants, mkdir, readdir, stat } from "node:fs/promises";
import { dirname, join, parse, relative, resolve, sep } from "node:path";
import { UsageError } from "../cli-kit/errors";
import type { OutputFormat } from "./formats";
import { isMediaFile } from "./media";

export interface BatchItem {
  /** Absolute path of the audio/video file. */
  readonly source: string;
  /** Absolute path of the result file inside the output directory. */
  readonly output: string;
  /** The source relative to the common parent, for messages. */
  readonly displayName: string;
}

/** Audio/video files under `dir`, recursively; hidden entries (.git, .cache, partial results) are skipped. */
async function walkMediaFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walkMediaFiles(path)));
    else if (entry.isFile() && isMediaFile(path)) found.push(path);
  }
  return found;
}

/** The deepest directory containing all of `dirs` (absolute paths). */
export function commonParent(dirs: readonly string[]): string {
  let common = dirs[0].split(sep);
  for (const dir of dirs.slice(1)) {
    const parts = dir.split(sep);
    let same = 0;
    while (same < common.length && same < parts.length && common[same] === parts[same]) same++;
    common = common.slice(0, same);
  }
  return common.join(sep) || sep;
}

/**
 * Expands files and directories into the batch. Files named explicitly are taken whatever their extension;
 * directories contribute their audio/video files; anything else (a FIFO, a device) is a usage error. Results are
 * `<name>.<format>`, with the source's whole name where the short one is ambiguous (see {@link resultNames}).
 */
export async function planBatch(inputs: readonly string[], outDir: string, format: OutputFormat): Promise<BatchItem[]> {
  if (inputs.length === 0) throw new UsageError("give at least one file or directory to transcribe");
  const sources = new Set<string>();
  const roots: string[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new UsageError(`no such file or directory: ${input}`);
    if (info.isDirectory()) {
      roots.push(path);
      for (const file of await walkMediaFiles(path)) sources.add(file);
    } else if (info.isFile()) {
      roots.push(dirname(path));
      sources.add(path);
    } else {
      // A FIFO, socket or device would block the read forever (and Node's exit with it).
      throw new UsageError(`not a regular file or directory: ${input}`);
    }
  }
  if (sources.size === 0) throw new UsageError(`no audio or video files found in: ${inputs.join(", ")}`);

  const base = commonParent(roots);
  const out = resolve(outDir);
  const items = [...sources].sort().map((source) => {
    const displayName = relative(base, source);
    return { source, displayName, output: "" };
  });
  const names = resultNames(items.map((item) => item.displayName));
  const planned = items.map((item, index) => ({ ...item, output: join(out, `${names[index]}.${format}`) }));
  assertDistinctOutputs(planned);
  return planned;
}

/** How names are compared for clashes: case-insensitive file systems (macOS, Windows) and Unicode forms. */
function clashKey(name: string): string {
  return name.normalize("NFC").toLowerCase();
}

/**
 * The result name (without the format's extension) of each source path: its name without the extension
 * (`talk.wav` -> `talk`), or the whole name (`talk.wav`) when that short form is shared by another source
 * (`talk.mp3`) or equals another source's whole name (`talk.wav.mp3` -> `talk.wav`). Short names are thus
 * distinct, whole names are distinct, and no short name equals a whole name: unique by construction.
 */
export function resultNames(displayNames: readonly string[]): string[] {
  const shortOf = (name: string) => {
    const { dir, name: stem } = parse(name);
    return join(dir, stem);
  };
  const shortCounts = new Map<string, number>();
  for (const name of displayNames) {
    const key = clashKey(shortOf(name));
    shortCounts.set(key, (shortCounts.get(key) ?? 0) + 1);
  }
  const wholeNames = new Set(displayNames.map(clashKey));
  return displayNames.map((name) => {
    const key = clashKey(shortOf(name));
    return shortCounts.get(key) === 1 && !wholeNames.has(key) ? shortOf(name) : name;
  });
}

/**
 * Refuses a plan in which two sources would write one result (sources that differ only in letter case or Unicode
 * form): one result would overwrite the other, and a re-run would skip both.
 */
function assertDistinctOutputs(items: readonly BatchItem[]): void {
  const byOutput = new Map<string, string>();
  for (const item of items) {
    const key = clashKey(item.output);
    const other = byOutput.get(key);
    if (other !== undefined) {
      throw new UsageError(
        `${other} and ${item.displayName} would both write ${item.output}; rename one, or transcribe them separately`,
      );
    }
    byOutput.set(key, item.displayName);
  }
}

/**
 * Creates `outDir` (with its parents) and checks that results can be written there, so a bad `--out` is a usage
 * error before any audio is sent rather than one failure per file after each was transcribed.
 */
export async function prepareOutputDirectory(outDir: string): Promise<void> {
  const info = await stat(outDir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new UsageError(`--out ${outDir} is a file, not a directory`);
  try {
    await mkdir(outDir, { recursive: true });
    await access(outDir, constants.W_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`--out ${outDir}: cannot write results there (${reason})`);
  }
}
