/**
 * Model source: a local directory holding a CTranslate2 Whisper model (e.g. a fine-tuned model converted with
 * `ct2-transformers-converter`, or a Hugging Face cache snapshot, whose symlinks are followed).
 *
 * Each file is hashed once up front, so its sha256 is known before the upload starts (and checked again while
 * streaming, which catches a file changed in between). The key path holds the first 16 hex digits of a hash
 * over every file's path, size and sha256: a changed model gets a new prefix, an unchanged one the same.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { UsageError } from "../../clients/typescript/src/errors";
import { TransferProgress } from "../cli-kit/progress";
import { PackageError } from "./errors";
import { checkLocalModel } from "./model-check";
import { assertLoadableModel, isModelFile } from "./model-files";
import type { ModelFile, ModelSource } from "./source";

/**
 * Lists, checks (see model-check.ts) and hashes the model files in `dir`; `log` receives progress lines of the
 * hashing, `signal` stops it.
 */
export async function openLocalSource(
  dir: string,
  log: (line: string) => void,
  progressIntervalMs?: number,
  signal?: AbortSignal,
): Promise<ModelSource> {
  const root = resolve(dir);
  const paths = await listModelFiles(root);
  try {
    assertLoadableModel(paths, root);
  } catch (error) {
    throw new PackageError((error as Error).message);
  }
  await checkLocalModel(root, paths);
  const files: ModelFile[] = [];
  for (const path of paths) {
    const { size } = await stat(join(root, path));
    const progress = new TransferProgress(log, `hashing ${path}`, size, progressIntervalMs);
    const sha256 = await sha256OfFile(join(root, path), (bytes) => progress.update(bytes), signal);
    files.push({ path, size, sha256 });
  }
  const contentHash = localContentHash(files);
  const name = safeName(basename(root));
  return {
    identity: { type: "local", name, contentHash },
    keyPath: `local/${name}/${contentHash.slice(0, 16)}`,
    files,
    open: async (file, signal) => createReadStream(join(root, file.path), { signal }),
  };
}

async function listModelFiles(root: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new UsageError(`--local-dir ${root} is not a directory`);
    throw new PackageError(`--local-dir ${root} cannot be read (${code ?? String(error)})`, { cause: error });
  }
  const paths: string[] = [];
  for (const name of names.sort()) {
    if (!isModelFile(name)) continue;
    // stat (not lstat) so that symlinked files, as in a Hugging Face cache snapshot, count.
    if ((await stat(join(root, name))).isFile()) paths.push(name);
  }
  return paths;
}

async function sha256OfFile(path: string, onBytes: (bytes: number) => void, signal?: AbortSignal): Promise<string> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path, { signal })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    onBytes(bytes);
  }
  return hash.digest("hex");
}

/** sha256 over `path\0size\0sha256\n` of every file, in path order: the identity of a local model. */
export function localContentHash(files: readonly ModelFile[]): string {
  const hash = createHash("sha256");
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    hash.update(`${file.path}\0${file.size}\0${file.sha256}\n`);
  }
  return hash.digest("hex");
}

/** The directory name as an S3-friendly key segment (letters, digits, `._-`). */
function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "");
  return cleaned || "model";
}
