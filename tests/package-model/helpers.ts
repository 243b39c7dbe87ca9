/** Shared fixtures of the package-model tests: a Whisper-shaped model, the CLI as a child process, S3 reads. */
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cliBundle } from "../support/cli-bundle";
import { repoRoot, type MotoServer } from "../support/moto";
import type { FakeHubFile } from "./fake-hub";

export const REPO = "Systran/faster-whisper-tiny-test";
export const REVISION = "edaa852ec7e145841d8ffdb056a99866b5f0a478";
export const BUCKET = "model-artifacts";
export const MODEL_PREFIX = `models/${REPO}/${REVISION}/`;
export const MANIFEST_KEY = `models/${REPO}/${REVISION}.manifest.json`;
/** The smallest part size S3 allows, so the 12 MiB model.bin goes up in three parts. */
export const PART_SIZE_MB = 5;
export const MODEL_BIN_BYTES = 12 * 1024 * 1024 + 12_345;

/** The files faster-whisper needs (model.bin in LFS), plus repository files that must be left out. */
export function whisperRepoFiles(): FakeHubFile[] {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value, null, 2));
  return [
    { path: "model.bin", content: randomBytes(MODEL_BIN_BYTES), lfs: true },
    { path: "config.json", content: json({ alignment_heads: [[1, 0]], lang_ids: [50259], suppress_ids: [1] }) },
    { path: "preprocessor_config.json", content: json({ feature_size: 80, sampling_rate: 16000 }) },
    { path: "tokenizer.json", content: json({ model: { vocab: randomBytes(40_000).toString("base64") } }) },
    { path: "vocabulary.json", content: json(["<|endoftext|>", "hello", "world"]) },
    { path: "README.md", content: Buffer.from("# a model card\n") },
    { path: ".gitattributes", content: Buffer.from("*.bin filter=lfs diff=lfs merge=lfs -text\n") },
  ];
}

/** Paths of {@link whisperRepoFiles} that belong in S3. */
export const MODEL_PATHS = [
  "config.json",
  "model.bin",
  "preprocessor_config.json",
  "tokenizer.json",
  "vocabulary.json",
];

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Starts scripts/package-model.ts (as `node` on its bundle, see tests/support/cli-bundle.ts) with a clean
 * environment: moto's AWS variables (if any) plus `env`. Node itself runs the CLI, so a signal the test sends
 * reaches the CLI's own handlers with no relay in between (the SIGINT test failed now and then on loaded machines
 * when it went through the `tsx` command, which forwards signals to the node process it starts).
 */
export async function startCli(
  args: readonly string[],
  moto: MotoServer | undefined,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; done: Promise<CliRun> }> {
  const childEnv: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" };
  const child = spawn(process.execPath, [await cliBundle("scripts/package-model.ts"), ...args], {
    cwd: repoRoot,
    env: { ...childEnv, ...moto?.awsEnv, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

/** Runs the CLI to the end; see {@link startCli}. */
export async function runCli(
  args: readonly string[],
  moto: MotoServer | undefined,
  env: Record<string, string> = {},
): Promise<CliRun> {
  return (await startCli(args, moto, env)).done;
}

/** The arguments of a hub run against {@link BUCKET} with the small part size. */
export function hubArgs(revision = REVISION): string[] {
  return ["--repo", REPO, "--revision", revision, "--bucket", BUCKET, "--part-size-mb", String(PART_SIZE_MB)];
}

export { s3ClientFor } from "../support/moto";

/** A fresh, versioned bucket: object versions show how many times each key was written. */
export async function createVersionedBucket(s3: S3Client, bucket = BUCKET): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
}

export async function listKeys(s3: S3Client, prefix = "", bucket = BUCKET): Promise<string[]> {
  const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listing.Contents ?? []).map((object) => object.Key as string).sort();
}

export async function readObject(s3: S3Client, key: string, bucket = BUCKET): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

export async function metadataOf(s3: S3Client, key: string, bucket = BUCKET): Promise<Record<string, string>> {
  return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).Metadata ?? {};
}

/** How many versions (writes) each key under `prefix` has. */
export async function writesPerKey(s3: S3Client, prefix = "", bucket = BUCKET): Promise<Record<string, number>> {
  const listing = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }));
  const counts: Record<string, number> = {};
  for (const version of listing.Versions ?? [])
    counts[version.Key as string] = (counts[version.Key as string] ?? 0) + 1;
  return counts;
}

export async function openMultipartUploads(s3: S3Client, bucket = BUCKET): Promise<string[]> {
  const listing = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (listing.Uploads ?? []).map((upload) => upload.Key as string);
}

/**
 * A `model.bin` in CTranslate2's layout (binary version 6, WhisperSpec) whose one variable holds `weightBytes`
 * random bytes: what package-model's model check accepts, of any size.
 */
export function ctranslate2ModelBin(weightBytes: number): Buffer {
  const string = (text: string) => {
    const bytes = Buffer.from(`${text}\0`);
    const length = Buffer.alloc(2);
    length.writeUInt16LE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  const u32 = (value: number) => {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value);
    return buffer;
  };
  return Buffer.concat([
    u32(6),
    string("WhisperSpec"),
    u32(3),
    u32(1), // one variable
    string("encoder/weight"),
    Buffer.from([1]), // rank 1
    u32(weightBytes),
    Buffer.from([2]), // int8
    u32(weightBytes),
    randomBytes(weightBytes),
    u32(0), // no aliases
  ]);
}
