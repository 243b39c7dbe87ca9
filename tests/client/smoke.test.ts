import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { repoRoot, s3ClientFor, startMoto, type MotoServer } from "../support/moto";
import { queueAsyncResults, runCli, transcriptJson } from "./helpers";

// The smoke CLI against moto: real HTTP, real SDK calls, real S3 objects. What moto does not prove: how long
// SageMaker takes, and the exact text SageMaker writes into a failure object (the CLI accepts both the
// server's JSON and SageMaker's wrapping text).
const BUCKET = "smoke-bucket";
const SAMPLE = join(repoRoot, "fixtures", "audio", "speech.m4a");
const TEXT = "The weather today is sunny and warm.";

describe("smoke CLI against the async endpoint (moto)", function () {
  this.timeout(60_000);
  let moto: MotoServer;
  let s3: S3Client;
  const smoke = (args: string[], env: Record<string, string> = {}) =>
    runCli("smoke-test.ts", args, { ...moto.awsEnv, ...env });

  before(async () => {
    moto = await startMoto();
    s3 = s3ClientFor(moto);
  });
  after(async () => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  it("prints the transcript and timings and exits 0, after uploading the audio byte for byte", async () => {
    await queueAsyncResults(moto.endpoint, [{ data: transcriptJson(TEXT, 7.5) }]);
    const run = await smoke(["--endpoint", "ep", "--bucket", BUCKET, "--inference-id", "smoke-1", "--language", "en"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), TEXT);
    assert.match(run.stderr, /inference id: smoke-1/);
    assert.match(run.stderr, /timings: +upload [\d.]+ s, queue \+ processing [\d.]+ s, download [\d.]+ s/);
    assert.match(run.stderr, /audio: +7\.5 s, [\d.]+x realtime \(server processing 0\.5 s, 15\.0x\)/);

    const uploaded = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "async/inputs/smoke-1/speech.m4a" }));
    assert.equal(uploaded.ContentType, "audio/mp4");
    assert.deepEqual(Buffer.from(await uploaded.Body!.transformToByteArray()), await readFile(SAMPLE));
  });

  it("prints the result as returned when --format is given: the JSON for --format json", async () => {
    const json = transcriptJson(TEXT, 7.5);
    await queueAsyncResults(moto.endpoint, [{ data: json }]);
    const run = await smoke(["--endpoint", "ep", "--bucket", BUCKET, "--format", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), JSON.parse(json));
  });

  it("shows the endpoint's error message from the failure object and exits 1", async () => {
    const error = { error: "unsupported_media", message: "could not decode the body as audio" };
    await queueAsyncResults(moto.endpoint, [{ is_failure: true, data: JSON.stringify(error) }]);
    const run = await smoke(["--endpoint", "ep", "--bucket", BUCKET]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /transcription failed: could not decode the body as audio \(unsupported_media\)/);
  });

  it("shows a failure that is not JSON as raw text", async () => {
    await queueAsyncResults(moto.endpoint, [{ is_failure: true, data: "Model container crashed" }]);
    const run = await smoke(["--endpoint", "ep", "--bucket", BUCKET]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /transcription failed: Model container crashed/);
  });

  it("exits 2 with the inference id and output location when no result appears in time", async () => {
    // moto writes a result as soon as it is invoked and answers a repeated InputLocation with the same
    // locations. So: invoke once for the input the CLI will use, delete that result, and the CLI then waits
    // on an output that never comes, deterministically, with no sleeps.
    const runtime = new SageMakerRuntimeClient({
      endpoint: moto.endpoint,
      region: "us-east-1",
      credentials: {
        accessKeyId: "testing",
        secretAccessKey: "testing",
      },
    });
    const first = await runtime.send(
      new InvokeEndpointAsyncCommand({
        EndpointName: "ep",
        InputLocation: `s3://${BUCKET}/async/inputs/late-1/speech.m4a`,
      }),
    );
    const output = /^s3:\/\/([^/]+)\/(.+)$/.exec(first.OutputLocation!)!;
    await s3.send(new DeleteObjectCommand({ Bucket: output[1], Key: output[2] }));

    const run = await smoke(["--endpoint", "ep", "--bucket", BUCKET, "--inference-id", "late-1", "--timeout", "1"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /timed out: no result after 1 s for inference late-1/);
    assert.ok(run.stderr.includes(first.OutputLocation!), run.stderr);
  });

  it("takes endpoint, bucket and input prefix from the Pulumi stack's outputs", async () => {
    const bin = await mkdtemp(join(tmpdir(), "fake-pulumi-"));
    try {
      // A stand-in for the Pulumi CLI that checks its arguments and prints outputs like a deployed stack.
      const outputs = { endpointName: "ep", bucketName: BUCKET, inputPrefix: "jobs/in/" };
      await writeFile(
        join(bin, "pulumi"),
        `#!/bin/sh\n[ "$*" = "stack output --json --stack dev" ] || { echo "unexpected: $*" >&2; exit 3; }\n` +
          `echo '${JSON.stringify(outputs)}'\n`,
      );
      await chmod(join(bin, "pulumi"), 0o755);
      await queueAsyncResults(moto.endpoint, [{ data: transcriptJson(TEXT, 7.5) }]);
      const run = await smoke(["--stack", "dev", "--inference-id", "from-stack"], {
        PATH: `${bin}:${process.env.PATH}`,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), TEXT);
      const uploaded = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "jobs/in/from-stack/speech.m4a" }));
      assert.equal(uploaded.ContentLength, (await readFile(SAMPLE)).length);
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  describe("usage errors exit 2 with a message", () => {
    const cases: [string, string[], RegExp][] = [
      ["a missing audio file", ["--audio", "no/such.wav"], /--audio: no such file: no\/such\.wav/],
      [
        "a directory as --audio",
        ["--audio", "fixtures/audio"],
        /--audio: fixtures\/audio is a directory; give one file, or transcribe a directory with `npm run transcribe -- DIR/,
      ],
      ["an unknown format", ["--format", "docx"], /--format must be one of json, txt, srt, vtt, got "docx"/],
      ["an unknown flag", ["--colour"], /Unknown option '--colour'/],
      ["--local with --bucket", ["--local", "http://127.0.0.1:1"], /--local cannot be combined with --endpoint/],
    ];
    for (const [what, args, message] of cases) {
      it(what, async () => {
        const run = await smoke(["--endpoint", "ep", "--bucket", BUCKET, ...args]);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, message);
        assert.equal(run.stdout, "");
      });
    }

    it("a --local that is not a URL", async () => {
      const run = await smoke(["--local", "localhost:8080x"]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /--local must be an http\(s\) URL/);
    });

    it("no endpoint and no Pulumi CLI to ask", async () => {
      // PATH holds only node, so no `pulumi` is found even on machines that have one installed.
      const bin = await mkdtemp(join(tmpdir(), "no-pulumi-"));
      try {
        await symlink(process.execPath, join(bin, "node"));
        const run = await smoke([], { PATH: bin });
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, /the pulumi CLI is not on PATH; or pass --endpoint and --bucket/);
      } finally {
        await rm(bin, { recursive: true, force: true });
      }
    });
  });

  it("prints the help and exits 0", async () => {
    const run = await smoke(["--help"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Usage: npm run smoke/);
    assert.match(run.stdout, /--\[no-\]vad/);
  });
});
