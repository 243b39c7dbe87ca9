import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { repoRoot, useMotoWithBucket } from "../support/moto";
import { queueAsyncResults, transcriptJson, type CliRun } from "./helpers";

// The curl-free shell example (clients/shell/transcribe.sh) against moto with the real AWS CLI. Skipped where no
// `aws` is on PATH (GitHub's runners have one).
const BUCKET = "shell-bucket";
const SCRIPT = join(repoRoot, "clients", "shell", "transcribe.sh");
const SAMPLE = join(repoRoot, "fixtures", "audio", "speech.m4a");

function awsCliPresent(): boolean {
  try {
    execFileSync("aws", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("the AWS CLI shell example against moto", function () {
  this.timeout(60_000);
  before(function () {
    if (!awsCliPresent()) this.skip();
  });
  const emulator = useMotoWithBucket(BUCKET);

  const run = (env: Record<string, string>, args: string[] = [SAMPLE]) =>
    new Promise<CliRun>((resolve, reject) => {
      const child = spawn("bash", [SCRIPT, ...args], {
        env: { ...process.env, ...emulator.moto.awsEnv, ENDPOINT: "ep", BUCKET, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout, stderr }));
    });

  it("uploads, invokes, waits and prints the result", async () => {
    const json = transcriptJson("from the shell", 6.9);
    await queueAsyncResults(emulator.moto.endpoint, [{ data: json }]);
    const done = await run({ INFERENCE_ID: "sh-1", OPTIONS: "language=en" });
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(JSON.parse(done.stdout), JSON.parse(json));
    const uploaded = await emulator.s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "async/inputs/sh-1/speech.m4a" }),
    );
    assert.ok(uploaded.ContentLength! > 1000);
  });

  it("prints the server's error and exits 1", async () => {
    const error = JSON.stringify({ error: "unsupported_media", message: "no audio track" });
    await queueAsyncResults(emulator.moto.endpoint, [{ is_failure: true, data: error }]);
    const failed = await run({});
    assert.equal(failed.code, 1, failed.stderr);
    assert.equal(failed.stdout, "");
    assert.ok(failed.stderr.includes(error), failed.stderr);
  });

  it("exits 2 for a missing file or setting", async () => {
    assert.match((await run({}, ["no/such.wav"])).stderr, /no such file: no\/such\.wav/);
    const noEndpoint = await run({ ENDPOINT: "" });
    assert.equal(noEndpoint.code, 2);
    assert.match(noEndpoint.stderr, /set ENDPOINT: pulumi stack output endpointName/);
  });
});
