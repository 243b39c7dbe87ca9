/**
 * Which files a batch transcribes and where each result goes. Results mirror the inputs' paths relative to
 * their common parent directory, so `a/x.wav` and `b/x.wav` become `a/x.json` and `b/x.json`; the mapping
 * depends only on the inputs, which makes re-runs find (and skip) earlier results.
 */
import { access, constants, mkdir, readdir, stat } from "node:fs/promises";
import { dirname, join, parse, relative, resolve, sep } from "node:path";
import { UsageError } from "./errors";
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
 * directories contribute their audio/video files. Results are `<name>.<format>`; where two sources in one
 * directory share a name (`x.wav`, `x.mp3`), both keep their extension (`x.wav.json`, `x.mp3.json`).
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
    } else {
      roots.push(dirname(path));
      sources.add(path);
    }
  }
  if (sources.size === 0) throw new UsageError(`no audio or video files found in: ${inputs.join(", ")}`);

  const base = commonParent(roots);
  const sorted = [...sources].sort();
  const stemOf = (source: string) => {
    const { dir, name } = parse(relative(base, source));
    return join(dir, name);
  };
  const stemCounts = new Map<string, number>();
  for (const source of sorted) stemCounts.set(stemOf(source), (stemCounts.get(stemOf(source)) ?? 0) + 1);
  const out = resolve(outDir);
  return sorted.map((source) => {
    const displayName = relative(base, source);
    const stem = stemCounts.get(stemOf(source))! > 1 ? displayName : stemOf(source);
    return { source, output: join(out, `${stem}.${format}`), displayName };
  });
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
