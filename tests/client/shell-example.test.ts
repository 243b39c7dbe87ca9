import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { GetObjectCommand, ListBucketsCommand } from "@aws-sdk/client-s3";
import { repoRoot, useMotoWithBucket, venvPython } from "../support/moto";
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

  describe("as a caller whose listing S3 refuses (moto enforcing an IAM policy that denies s3:ListBucket)", function () {
    // moto checks identity policies once its auth is on: a user that may do anything but list stands in for a caller
    // whose s3:prefix-conditioned listing S3 refuses, so every `aws s3 ls` of a pending result is AccessDenied. Auth
    // goes on once the script has submitted (moto's InvokeEndpointAsync creates the result's bucket), because moto
    // miscomputes the signature of an InvokeEndpointAsync with S3OutputPathExtension.
    const python = (code: string) =>
      execFileSync(venvPython, ["-c", code], {
        env: { ...process.env, ...emulator.moto.awsEnv },
        encoding: "utf8",
      }).trim();
    const setAuth = async (unauthenticatedCalls: string) => {
      const response = await fetch(`${emulator.moto.endpoint}/moto-api/reset-auth`, {
        method: "POST",
        body: unauthenticatedCalls,
      });
      assert.ok(response.ok, `moto reset-auth: HTTP ${response.status}`);
    };
    const authOnceSubmitted = async () => {
      for (let tries = 0; tries < 600; tries++) {
        const { Buckets = [] } = await emulator.s3.send(new ListBucketsCommand({}));
        if (Buckets.some((b) => b.Name?.startsWith("sagemaker-output-"))) return setAuth("0");
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error("the script never invoked the endpoint");
    };
    let callerEnv: Record<string, string>;

    beforeEach(function () {
      const [id, secret] = python(
        [
          "import boto3, json",
          "iam = boto3.client('iam')",
          "iam.create_user(UserName='web')",
          "doc = lambda effect, action: json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': effect, 'Action': action, 'Resource': '*'}]})",
          "iam.put_user_policy(UserName='web', PolicyName='all', PolicyDocument=doc('Allow', '*'))",
          "iam.put_user_policy(UserName='web', PolicyName='no-listing', PolicyDocument=doc('Deny', 's3:ListBucket'))",
          "key = iam.create_access_key(UserName='web')['AccessKey']",
          "print(key['AccessKeyId'], key['SecretAccessKey'])",
        ].join("\n"),
      ).split(" ");
      callerEnv = { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret, CALLER: "web" };
    });
    afterEach(async () => setAuth("inf"));

    it("counts AccessDenied as not yet and prints the result once it may list", async () => {
      await queueAsyncResults(emulator.moto.endpoint, [{ data: transcriptJson("as a caller", 2) }]);
      const allowListingLater = (async () => {
        await authOnceSubmitted();
        await new Promise((r) => setTimeout(r, 3000));
        await setAuth("inf");
        python("import boto3; boto3.client('iam').delete_user_policy(UserName='web', PolicyName='no-listing')");
        await setAuth("0");
      })();
      const done = await run({ ...callerEnv, INFERENCE_ID: "sh-caller", TIMEOUT: "30" });
      await allowListingLater;
      assert.equal(done.code, 0, done.stderr);
      assert.equal(JSON.parse(done.stdout).text, "as a caller");
      await setAuth("inf");
      const uploaded = await emulator.s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: "async/inputs/web/sh-caller/speech.m4a" }),
      );
      assert.ok(uploaded.ContentLength! > 1000);
    });

    it("says at the timeout that nothing was visible and to check the caller policy", async () => {
      await queueAsyncResults(emulator.moto.endpoint, [{ data: transcriptJson("never seen", 2) }]);
      const [timedOut] = await Promise.all([run({ ...callerEnv, TIMEOUT: "3" }), authOnceSubmitted()]);
      assert.equal(timedOut.code, 2, timedOut.stderr);
      assert.match(
        timedOut.stderr,
        /no result visible \(S3 answered 403 to the checks\); if this persists, check the caller policy/,
      );
    });

    it("without CALLER the same refusal ends the script at the first check", async () => {
      await queueAsyncResults(emulator.moto.endpoint, [{ data: transcriptJson("never seen", 2) }]);
      const [refused] = await Promise.all([run({ ...callerEnv, CALLER: "", TIMEOUT: "30" }), authOnceSubmitted()]);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(
        refused.stderr,
        /^checking s3:\/\/\S+: \nAn error occurred \(AccessDenied\) when calling the ListObjectsV2/,
      );
    });
  });

  it("exits 2 for a missing file or setting", async () => {
    assert.match((await run({}, ["no/such.wav"])).stderr, /no such file: no\/such\.wav/);
    const noEndpoint = await run({ ENDPOINT: "" });
    assert.equal(noEndpoint.code, 2);
    assert.match(noEndpoint.stderr, /set ENDPOINT: pulumi stack output endpointName/);
  });
});
