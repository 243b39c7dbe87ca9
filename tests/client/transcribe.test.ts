import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { objectKeys, repoRoot, s3ClientFor, startMoto, type MotoServer } from "../support/moto";
import { queueAsyncResults, runCli, transcriptJson } from "./helpers";

// The batch CLI against moto. With --concurrency 1 files go in sorted order, so the queued results (moto
// hands them out in call order) map to known files.
const BUCKET = "batch-bucket";
const FIXTURES = join(repoRoot, "fixtures", "audio");

/** Every file below `dir`, relative, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe("transcribe CLI (batch) against the async endpoint (moto)", function () {
  this.timeout(60_000);
  let moto: MotoServer;
  let s3: S3Client;
  let work: string;
  const transcribe = (args: string[]) =>
    runCli("transcribe.ts", [...args, "--endpoint", "ep", "--bucket", BUCKET], moto.awsEnv);
  const uploadedKeys = () => objectKeys(s3, BUCKET);

  before(async () => {
    moto = await startMoto();
    s3 = s3ClientFor(moto);
  });
  after(async () => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    // recordings/a/speech.wav and recordings/b/speech.wav share a name; notes.txt is not audio.
    work = await mkdtemp(join(tmpdir(), "batch-"));
    await mkdir(join(work, "recordings", "a"), { recursive: true });
    await mkdir(join(work, "recordings", "b"), { recursive: true });
    await copyFile(join(FIXTURES, "speech.wav"), join(work, "recordings", "a", "speech.wav"));
    await copyFile(join(FIXTURES, "speech.ogg"), join(work, "recordings", "b", "speech.ogg"));
    await copyFile(join(FIXTURES, "meeting", "part01.ogg"), join(work, "recordings", "b", "part01.ogg"));
    await writeFile(join(work, "recordings", "notes.txt"), "not audio");
  });
  afterEach(async () => rm(work, { recursive: true, force: true }));

  it("keeps going past a failed file, lists it, exits 1, and a re-run sends only what is missing", async () => {
    const out = join(work, "out");
    const recordings = join(work, "recordings");
    // Sorted order: a/speech.wav, b/part01.ogg, b/speech.ogg; the middle one fails.
    await queueAsyncResults(moto.endpoint, [
      { data: transcriptJson("first", 7) },
      { is_failure: true, data: JSON.stringify({ error: "unsupported_media", message: "no audio track" }) },
      { data: transcriptJson("third", 9) },
    ]);
    const first = await transcribe([recordings, "--out", out, "--concurrency", "1", "--format", "json"]);
    assert.equal(first.code, 1, first.stderr);
    assert.deepEqual(await listFiles(out), ["a/speech.json", "b/speech.json"]);
    assert.equal(JSON.parse(await readFile(join(out, "a", "speech.json"), "utf8")).text, "first");
    assert.equal(JSON.parse(await readFile(join(out, "b", "speech.json"), "utf8")).text, "third");
    assert.match(first.stderr, /2 transcribed, 0 skipped \(result exists\), 1 failed, 16\.0 s of audio/);
    assert.match(first.stderr, /Failed:\n {2}b\/part01\.ogg: no audio track \(unsupported_media\)/);
    assert.match(first.stderr, /done a\/speech\.wav \(7\.0 s audio, [^\n]*, language en \(probability 1\.00\)\)/);
    assert.equal((await uploadedKeys()).length, 3);

    await queueAsyncResults(moto.endpoint, [{ data: transcriptJson("second", 8) }]);
    const second = await transcribe([recordings, "--out", out, "--concurrency", "1", "--format", "json"]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /1 transcribed, 2 skipped \(result exists\), 0 failed/);
    assert.deepEqual(await listFiles(out), ["a/speech.json", "b/part01.json", "b/speech.json"]);
    assert.equal(JSON.parse(await readFile(join(out, "b", "part01.json"), "utf8")).text, "second");
    const keys = await uploadedKeys();
    assert.equal(keys.length, 4, "the re-run uploads only the file without a result");
    assert.equal(keys.filter((key) => key.endsWith("/part01.ogg")).length, 2);
  });

  it("writes each format's body as-is, one result per file, with concurrency", async () => {
    const out = join(work, "out");
    const subtitles = "WEBVTT\n\n00:00:00.000 --> 00:00:07.000\nsame text\n";
    await queueAsyncResults(moto.endpoint, [{ data: subtitles }, { data: subtitles }, { data: subtitles }]);
    const run = await transcribe([join(work, "recordings"), "--out", out, "--format", "vtt", "--concurrency", "3"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await listFiles(out), ["a/speech.vtt", "b/part01.vtt", "b/speech.vtt"]);
    for (const file of await listFiles(out)) assert.equal(await readFile(join(out, file), "utf8"), subtitles);
  });

  it("mirrors paths for files given one by one, and keeps extensions where names collide", async () => {
    const out = join(work, "out");
    await copyFile(join(FIXTURES, "speech.mp3"), join(work, "recordings", "a", "speech.mp3"));
    await queueAsyncResults(moto.endpoint, [{ data: "one" }, { data: "two" }, { data: "three" }]);
    const run = await transcribe([
      join(work, "recordings", "a", "speech.wav"),
      join(work, "recordings", "a", "speech.mp3"),
      join(work, "recordings", "b", "speech.ogg"),
      "--out",
      out,
      "--format",
      "txt",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await listFiles(out), ["a/speech.mp3.txt", "a/speech.wav.txt", "b/speech.txt"]);
  });

  describe("usage errors exit 2 with a message", () => {
    const cases: [string, (work: string) => string[], RegExp][] = [
      ["no --out", (dir) => [dir], /--out DIR is required/],
      ["no inputs", (dir) => ["--out", join(dir, "out")], /give at least one file or directory/],
      ["a missing input", (dir) => [join(dir, "nope"), "--out", join(dir, "out")], /no such file or directory: /],
      ["a bad concurrency", (dir) => [dir, "--out", join(dir, "o"), "--concurrency", "0"], /--concurrency must be/],
    ];
    for (const [what, args, message] of cases) {
      it(what, async () => {
        const run = await transcribe(args(work));
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, message);
      });
    }

    it("--out naming a file, before anything is uploaded", async () => {
      await writeFile(join(work, "taken"), "a file");
      const run = await transcribe([join(work, "recordings"), "--out", join(work, "taken")]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /--out .*taken is a file, not a directory/);
      assert.deepEqual(await uploadedKeys(), []);
    });

    it("--out below a file, before anything is uploaded", async () => {
      await writeFile(join(work, "taken"), "a file");
      const run = await transcribe([join(work, "recordings"), "--out", join(work, "taken", "results")]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /--out .*results: cannot write results there \(ENOTDIR\)/);
      assert.deepEqual(await uploadedKeys(), []);
    });

    it("a directory with no audio or video in it", async () => {
      await mkdir(join(work, "empty"));
      await writeFile(join(work, "empty", "readme.md"), "nothing to hear");
      const run = await transcribe([
        join(work, "empty"),
        "--out",
        join(work, "out"),
        "--endpoint",
        "ep",
        "--bucket",
        BUCKET,
      ]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /no audio or video files found in: /);
    });
  });
});
