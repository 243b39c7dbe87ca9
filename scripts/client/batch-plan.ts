/**
 * Which files a batch transcribes and where each result goes. Results mirror the inputs' paths relative to
 * their common parent directory, so `a/x.wav` and `b/x.wav` become `a/x.json` and `b/x.json`; the mapping
 * depends only on the inputs, which makes re-runs find (and skip) earlier results.
 */
import type { Dirent } from "node:fs";
import { access, constants, mkdir, readdir, realpath, stat } from "node:fs/promises";
import { dirname, join, parse, relative, resolve, sep } from "node:path";
import { UsageError } from "../../clients/typescript/src/errors";
import type { OutputFormat } from "../../clients/typescript/src/formats";
import { isMediaFile } from "../../clients/typescript/src/media";

export interface BatchItem {
  /** Absolute path of the audio/video file. */
  readonly source: string;
  /** Absolute path of the result file inside the output directory. */
  readonly output: string;
  /** The source relative to the common parent, for messages. */
  readonly displayName: string;
}

/** A path the batch leaves out, and why; the CLI prints each one (input is never dropped without a word). */
export interface SkippedPath {
  readonly path: string;
  readonly reason: string;
}

/** The audio/video files found, by real path (each file once), and the paths left out. */
interface Walk {
  /** Real path -> the path the batch uses for it (a path reached without a symbolic link where there is one). */
  readonly files: Map<string, { path: string; viaLink: boolean }>;
  /** Real path of each directory walked -> the path it was walked as (loop and repeat protection). */
  readonly dirs: Map<string, string>;
  /** `other`: the path kept instead, named relative to the batch's base once that is known. */
  readonly skipped: (SkippedPath & { readonly other?: string })[];
}

/** Adds one file, keeping the path reached without a link (then the first in sorted order) when two reach it. */
function addFile(walk: Walk, path: string, real: string, viaLink: boolean): void {
  const known = walk.files.get(real);
  if (known?.path === path) return; // the same path given twice
  if (!known) {
    walk.files.set(real, { path, viaLink });
    return;
  }
  const keepNew = known.viaLink !== viaLink ? !viaLink : path < known.path;
  const [kept, dropped] = keepNew ? [path, known.path] : [known.path, path];
  if (keepNew) walk.files.set(real, { path, viaLink });
  walk.skipped.push({ path: dropped, reason: "the same file as", other: kept });
}

/**
 * Audio/video files under `dir`, recursively; hidden entries (.git, .cache, partial results) are skipped.
 * Symbolic links are followed: a linked directory is walked unless it was walked already (a loop, or a second
 * link to it), a linked file counts once, and a broken link is reported, as is every path left out that way.
 */
async function walkMediaFiles(walk: Walk, dir: string, viaLink: boolean): Promise<void> {
  const real = await realpath(dir);
  const walkedAs = walk.dirs.get(real);
  if (walkedAs !== undefined) {
    walk.skipped.push({ path: dir, reason: "walked already as", other: walkedAs });
    return;
  }
  walk.dirs.set(real, dir);
  // Links after the real entries, so a directory linked from its own parent is walked under its real name.
  const order = (entry: Dirent) => `${entry.isSymbolicLink() ? 1 : 0}${entry.name}`;
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (order(a) < order(b) ? -1 : 1));
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    const isLink = entry.isSymbolicLink();
    const info = isLink ? await stat(path).catch(() => undefined) : entry;
    if (!info) {
      walk.skipped.push({ path, reason: "a broken symbolic link" });
    } else if (info.isDirectory()) {
      await walkMediaFiles(walk, path, viaLink || isLink);
    } else if (info.isFile() && isMediaFile(path)) {
      addFile(walk, path, await realpath(path), viaLink || isLink);
    }
  }
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

/** What {@link planBatch} found: the files to transcribe and the paths it left out. */
export interface BatchPlan {
  readonly items: BatchItem[];
  /** Paths left out of the walk (a second path to a file or directory, a broken link), for the CLI to report. */
  readonly skipped: readonly SkippedPath[];
}

/**
 * Expands files and directories into the batch. Files named explicitly are taken whatever their extension;
 * directories contribute their audio/video files (links followed, each real file once); anything else (a FIFO, a
 * device) is a usage error. Results are `<name>.<format>`, with the source's whole name where the short one is
 * ambiguous (see {@link resultNames}).
 */
export async function planBatch(inputs: readonly string[], outDir: string, format: OutputFormat): Promise<BatchPlan> {
  if (inputs.length === 0) throw new UsageError("give at least one file or directory to transcribe");
  const walk: Walk = { files: new Map(), dirs: new Map(), skipped: [] };
  const roots: string[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new UsageError(`no such file or directory: ${input}`);
    if (info.isDirectory()) {
      roots.push(path);
      await walkMediaFiles(walk, path, false);
    } else if (info.isFile()) {
      roots.push(dirname(path));
      addFile(walk, path, await realpath(path), false);
    } else {
      // A FIFO, socket or device would block the read forever (and Node's exit with it).
      throw new UsageError(`not a regular file or directory: ${input}`);
    }
  }
  if (walk.files.size === 0) throw new UsageError(`no audio or video files found in: ${inputs.join(", ")}`);

  const base = commonParent(roots);
  const out = resolve(outDir);
  const sources = [...walk.files.values()].map((file) => file.path);
  const items = sources.sort().map((source) => {
    const displayName = relative(base, source);
    return { source, displayName, output: "" };
  });
  const names = resultNames(items.map((item) => item.displayName));
  const planned = items.map((item, index) => ({ ...item, output: join(out, `${names[index]}.${format}`) }));
  assertDistinctOutputs(planned);
  const shown = (path: string) => relative(base, path) || path;
  const skipped = walk.skipped.map(({ path, reason, other }) => ({
    path: shown(path),
    reason: other === undefined ? reason : `${reason} ${shown(other)}`,
  }));
  return { items: planned, skipped };
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
