/**
 * Checks that a local model directory holds a CTranslate2 Whisper model the server can load, before a byte is
 * uploaded: a broken model in S3 only shows when the endpoint's container fails to start (exit 3), minutes later
 * and far from the cause.
 *
 * `model.bin` is walked through CTranslate2's layout (`ctranslate2/specs/model_spec.py`, `_serialize`): a binary
 * version, the spec name and revision, then each variable's name, shape, type and byte count followed by its bytes,
 * then the aliases. The walk must end exactly at the end of the file, so a truncated or padded file is caught
 * without reading the weights themselves.
 */
import { open, readFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { PackageError } from "./errors";

/** Newest model.bin layout the server's CTranslate2 (4.6) reads. */
export const MAX_BINARY_VERSION = 6;

/** Throws a PackageError naming the file and the problem when the model in `root` is not loadable. */
export async function checkLocalModel(root: string, paths: readonly string[]): Promise<void> {
  for (const path of paths.filter((name) => name.endsWith(".json"))) await checkJson(root, path);
  for (const path of paths.filter((name) => /^vocabulary\./.test(name))) {
    if ((await readFile(join(root, path))).length === 0) throw new PackageError(`${join(root, path)} is empty`);
  }
  await checkModelBin(join(root, "model.bin"));
}

async function checkJson(root: string, path: string): Promise<void> {
  const file = join(root, path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new PackageError(`${file} is not valid JSON (${(error as Error).message}); re-export the model`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new PackageError(`${file} is not a JSON object; re-export the model`);
  }
}

/** Reads little-endian fields from a position that advances, failing cleanly at the end of the file. */
class Reader {
  position = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    private readonly file: string,
  ) {}

  private async bytes(count: number): Promise<Buffer> {
    if (this.position + count > this.size) {
      throw new PackageError(
        `${this.file} is truncated: it ends at byte ${this.size}, inside a record that needs ${this.position + count}; ` +
          "copy or convert the model again",
      );
    }
    const buffer = Buffer.alloc(count);
    await this.handle.read(buffer, 0, count, this.position);
    this.position += count;
    return buffer;
  }

  async u8(): Promise<number> {
    return (await this.bytes(1)).readUInt8(0);
  }
  async u16(): Promise<number> {
    return (await this.bytes(2)).readUInt16LE(0);
  }
  async u32(): Promise<number> {
    return (await this.bytes(4)).readUInt32LE(0);
  }
  /** CTranslate2's string: a uint16 length including the NUL, then the bytes. */
  async string(): Promise<string> {
    const length = await this.u16();
    return (await this.bytes(length)).subarray(0, Math.max(0, length - 1)).toString("utf8");
  }
  skip(count: number): void {
    // Checked by the next read, or by the end-of-file check after the walk.
    this.position += count;
  }
}

async function checkModelBin(file: string): Promise<void> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    if (size === 0) throw new PackageError(`${file} is empty; copy or convert the model again`);
    const reader = new Reader(handle, size, file);
    const version = await reader.u32();
    if (version < 1 || version > MAX_BINARY_VERSION) {
      throw new PackageError(
        `${file} is not a CTranslate2 model (binary version ${version}, expected 1 to ${MAX_BINARY_VERSION})`,
      );
    }
    if (version >= 2) {
      const spec = await reader.string();
      await reader.u32(); // spec revision
      if (!/whisper/i.test(spec)) {
        throw new PackageError(`${file} is a CTranslate2 ${spec || "model"}, not a Whisper model`);
      }
    }
    const variables = await reader.u32();
    for (let index = 0; index < variables; index++) {
      await reader.string();
      const rank = await reader.u8();
      for (let dim = 0; dim < rank; dim++) await reader.u32();
      if (version >= 4) {
        await reader.u8(); // data type
        reader.skip(await reader.u32());
      } else {
        const itemSize = await reader.u8();
        reader.skip((await reader.u32()) * itemSize);
      }
    }
    if (version >= 3) {
      const aliases = await reader.u32();
      for (let index = 0; index < aliases; index++) {
        await reader.string();
        await reader.string();
      }
    }
    if (reader.position !== size) {
      const problem =
        reader.position > size ? `is truncated (${size} of ${reader.position} bytes)` : "has bytes after its end";
      throw new PackageError(`${file} ${problem}; copy or convert the model again`);
    }
  } finally {
    await handle.close();
  }
}
