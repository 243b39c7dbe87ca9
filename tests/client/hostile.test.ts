import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resultNames } from "../../scripts/client/batch-plan";
import { objectKeys, repoRoot, useMotoWithBucket, type MotoServer } from "../support/moto";
import { killProcessGroup, processGroupAlive, queueAsyncResults, runCli, transcriptJson } from "./helpers";

// What a careless user or a broken endpoint can do to the CLIs: a hung S3, a FIFO as input, names that would
// collide, a result that is not what was asked for. Each must end the CLI in bounded time with a clear exit code.
const BUCKET = "hostile-bucket";
const FIXTURES = join(repoRoot, "fixtures", "audio");

describe("client CLIs under hostile conditions", function () {
  this.timeout(60_000);
  const emulator = useMotoWithBucket(BUCKET);
  let moto: MotoServer;
  let work: string;
  const target = ["--endpoint", "ep", "--bucket", BUCKET];
  const uploadedKeys = () => objectKeys(emulator.s3, BUCKET);

  beforeEach(async () => {
    moto = emulator.moto;
    work = await mkdtemp(join(tmpdir(), "hostile-"));
  });
  afterEach(async () => {
    moto.thaw(); // a frozen emulator must not outlive its test
    await rm(work, { recursive: true, force: true });
  });

  it("--timeout bounds every AWS call: a frozen S3 ends smoke with exit 2 in time", async () => {
    moto.freeze();
    const run = await runCli("smoke-test.ts", [...target, "--timeout", "3"], moto.awsEnv, { killAfterMs: 40_000 });
    assert.equal(run.signal, null, "the CLI hung and was killed");
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /timed out: uploading to s3:\/\/hostile-bucket\/.*: no answer within the --timeout of 3 s/,
    );
    assert.ok(run.seconds! < 20, `took ${run.seconds} s`);
  });

  it("a FIFO as input is a usage error before anything is read or sent", async () => {
    const fifo = join(work, "talk.wav");
    execFileSync("mkfifo", [fifo]);
    const run = await runCli("transcribe.ts", [fifo, "--out", join(work, "out"), ...target], moto.awsEnv, {
      killAfterMs: 30_000,
    });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /usage error: not a regular file or directory: .*talk\.wav/);
    assert.deepEqual(await uploadedKeys(), []);
  });

  it("SIGTERM ends a CLI even while a read is stuck in Node's thread pool", async () => {
    const fifo = join(work, "stuck");
    execFileSync("mkfifo", [fifo]);
    let pid = 0;
    const run = await runCli(
      "tests/support/stuck-cli.ts",
      [fifo],
      {},
      {
        killAfterMs: 20_000,
        onStart: (child) => {
          pid = child.pid!;
          child.stderr!.on("data", (chunk: Buffer) => {
            if (chunk.toString().includes("reading")) setTimeout(() => child.kill("SIGTERM"), 300);
          });
        },
      },
    );
    assert.notEqual(run.signal, "SIGKILL", "SIGTERM did not end the CLI");
    assert.ok(run.code === 143 || run.signal === "SIGTERM", `code ${run.code}, signal ${run.signal}`);
    assert.ok(run.seconds! < 15, `took ${run.seconds} s`);
    // The kernel reaps the group's last process shortly after the CLI's exit; a busy machine may take seconds.
    const reaped = Date.now() + 5_000;
    while (processGroupAlive(pid) && Date.now() < reaped) await new Promise((resolve) => setTimeout(resolve, 100));
    const leftover = processGroupAlive(pid);
    killProcessGroup(pid);
    assert.ok(!leftover, "a process of the CLI's group is still running");
  });

  it("names results uniquely when sources share a stem or one's stem is another's name", async () => {
    for (const name of ["x.wav", "x.mp3", "x.wav.mp3"]) await copyFile(join(FIXTURES, "speech.wav"), join(work, name));
    // Sorted order: x.mp3, x.wav, x.wav.mp3.
    await queueAsyncResults(
      moto.endpoint,
      ["one", "two", "three"].map((text) => ({ data: transcriptJson(text, 7) })),
    );
    const out = join(work, "out");
    const args = [join(work, "x.wav"), join(work, "x.mp3"), join(work, "x.wav.mp3"), "--out", out, ...target];
    const first = await runCli("transcribe.ts", [...args, "--concurrency", "1"], moto.awsEnv);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual((await readdir(out)).sort(), ["x.mp3.json", "x.wav.json", "x.wav.mp3.json"]);
    assert.equal(JSON.parse(await readFile(join(out, "x.wav.mp3.json"), "utf8")).text, "three");
    const again = await runCli("transcribe.ts", args, moto.awsEnv);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /0 transcribed, 3 skipped/);
  });

  it("sources that would still write one result (names differing in case only) are a usage error", async () => {
    for (const name of ["Talk.wav", "talk.wav"]) await copyFile(join(FIXTURES, "speech.wav"), join(work, name));
    const run = await runCli("transcribe.ts", [work, "--out", join(work, "out"), ...target], moto.awsEnv);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /usage error: Talk\.wav and talk\.wav would both write .*talk\.wav\.json/i);
    assert.deepEqual(await uploadedKeys(), []);
  });

  it("writes the result of a 240-character file name, so a re-run skips it", async () => {
    const name = `${"n".repeat(236)}.wav`;
    await copyFile(join(FIXTURES, "speech.wav"), join(work, name));
    await queueAsyncResults(moto.endpoint, [{ data: transcriptJson("long", 7) }]);
    const out = join(work, "out");
    const first = await runCli("transcribe.ts", [join(work, name), "--out", out, ...target], moto.awsEnv);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(await readdir(out), [`${"n".repeat(236)}.json`]);
    const again = await runCli("transcribe.ts", [join(work, name), "--out", out, ...target], moto.awsEnv);
    assert.match(again.stderr, /0 transcribed, 1 skipped/);
  });

  it("follows symbolic links in a walked directory and says which paths it left out", async () => {
    const input = join(work, "in");
    await mkdir(join(work, "elsewhere"));
    await mkdir(input);
    await copyFile(join(FIXTURES, "speech.wav"), join(input, "a.wav"));
    await copyFile(join(FIXTURES, "speech.ogg"), join(work, "elsewhere", "b.ogg"));
    await symlink(join(work, "elsewhere", "b.ogg"), join(input, "linked.ogg"));
    await symlink(join(work, "elsewhere"), join(input, "linked-dir"));
    await symlink(join(input, "a.wav"), join(input, "same.wav"));
    await queueAsyncResults(
      moto.endpoint,
      ["a", "b"].map((text) => ({ data: transcriptJson(text, 7) })),
    );
    const out = join(work, "out");
    const run = await runCli("transcribe.ts", [input, "--out", out, "--concurrency", "1", ...target], moto.awsEnv);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /left out linked\.ogg: the same file as linked-dir\/b\.ogg\n/);
    assert.match(run.stderr, /left out same\.wav: the same file as a\.wav\n/);
    assert.match(run.stderr, /transcribe: 2 file\(s\)/);
    assert.deepEqual((await readdir(out, { recursive: true })).sort(), ["a.json", "linked-dir", "linked-dir/b.json"]);
  });

  it("smoke --format json with a result that is not JSON fails with exit 1", async () => {
    await queueAsyncResults(moto.endpoint, [{ data: "<html>gateway error</html>" }]);
    const run = await runCli("smoke-test.ts", [...target, "--format", "json"], moto.awsEnv);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /transcription failed: the result is not the JSON transcript that --format json asks for/);
  });
});

describe("result names", () => {
  it("keep the short name where it is unambiguous", () => {
    assert.deepEqual(resultNames(["a/talk.wav", "b/talk.ogg", "notes.mp3"]), ["a/talk", "b/talk", "notes"]);
  });
  it("are distinct whatever the names", () => {
    const names = ["x.wav", "x.mp3", "x.wav.mp3", "x.wav.mp3.ogg", "y", "y.wav"];
    const results = resultNames(names);
    assert.equal(new Set(results.map((name) => name.toLowerCase())).size, names.length, results.join(", "));
  });
});
