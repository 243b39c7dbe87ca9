/**
 * The drop folder end to end on this machine: moto stands in for S3 and SageMaker's queue, the real local server
 * (tiny.en on CPU) for the endpoint. A real recording is dropped; the submit function invokes "the endpoint"; the
 * stand-in does what SageMaker's async endpoint does with that invocation (reads the input object, POSTs it to the
 * container with the invocation's Accept and custom attributes, writes the answer to the output or failure path and
 * publishes the notification); the deliver function, as the esbuild bundle the stack deploys, gets that
 * notification as SNS sends it.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { InvokeEndpointAsyncCommandInput } from "@aws-sdk/client-sagemaker-runtime";
import { bundledHandler } from "../../components/function-code";
import { submitRecording } from "../../functions/drop-folder/submit";
import { bundledModelDir, startLocalServer, type LocalServer } from "../../scripts/client/local-server";
import { wordErrorRate } from "../client/helpers";
import { objectKeys, useMotoWithBucket } from "../support/moto";
import {
  BUCKET,
  FIXTURES,
  drop,
  fixture,
  recordingRuntime,
  sagemakerNotification,
  settingsFor,
  snsEvent,
  requireBundle,
  textAt,
  withFunctionEnvironment,
} from "./support";

/** The deliver function as deployed: the esbuild bundle the program uploads, not the TypeScript source. */
const deliver = requireBundle(bundledHandler("functions/drop-folder/deliver.ts")).handler as (
  event: unknown,
) => Promise<unknown>;

const EXPECTED: string = JSON.parse(readFileSync(join(FIXTURES, "transcripts.json"), "utf8"))["speech.m4a"];
/** tiny.en hears the synthetic speech almost perfectly; 0.2 leaves room for a CPU's int8 rounding. */
const MAX_WER = 0.2;

/** The words of a transcript, lowercased, without punctuation. */
function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, " ")
    .split(/\s+/)
    .filter(Boolean);
}

/** The cue text of an SRT or WebVTT file: every line that is not a header, a number, a timing or blank. */
function cueText(subtitles: string): string {
  return subtitles
    .split("\n")
    .filter((line) => line && line !== "WEBVTT" && !/^\d+$/.test(line) && !line.includes("-->"))
    .join(" ");
}

describe("drop folder end to end (moto + the real server with tiny.en)", function () {
  this.timeout(180_000);
  const aws = useMotoWithBucket(BUCKET);
  const settings = settingsFor();
  let server: LocalServer;

  before(async () => {
    server = await startLocalServer({ modelDir: await bundledModelDir() });
  });
  after(async () => server?.stop());

  /** What SageMaker does with one async invocation: the container's answer to the output or failure path. */
  async function runLikeSageMaker(invocation: InvokeEndpointAsyncCommandInput): Promise<string> {
    const input = new URL(invocation.InputLocation!);
    const object = await aws.s3.send(new GetObjectCommand({ Bucket: input.hostname, Key: input.pathname.slice(1) }));
    const response = await fetch(`${server.url}/invocations`, {
      method: "POST",
      body: await object.Body!.transformToByteArray(),
      headers: {
        "Content-Type": invocation.ContentType!,
        Accept: invocation.Accept!,
        ...(invocation.CustomAttributes ? { "X-Amzn-SageMaker-Custom-Attributes": invocation.CustomAttributes } : {}),
        "X-Amzn-SageMaker-Inference-Id": invocation.InferenceId!,
      },
    });
    const key = response.ok
      ? `async/outputs/${invocation.InferenceId}.out`
      : `async/failures/${invocation.InferenceId}-error.out`;
    await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: await response.text() }));
    const location = `s3://${BUCKET}/${key}`;
    return sagemakerNotification(
      invocation.InferenceId!,
      response.ok
        ? { outputLocation: location }
        : {
            failureLocation: location,
            failureReason: `ClientError: Received client error (${response.status}) from primary`,
          },
      invocation.InputLocation,
    );
  }

  /** Drops `body` at `key`, submits it, lets "SageMaker" run it, and hands the notification to deliver's handler. */
  async function transcribeDropped(key: string, body: Uint8Array, options?: string): Promise<void> {
    const runtime = recordingRuntime(aws.moto);
    const object = await drop(aws.s3, key, body, options);
    const outcome = await submitRecording({ s3: aws.s3, sagemaker: runtime.client }, settings, object);
    assert.equal(outcome.outcome, "submitted");
    assert.equal(runtime.invocations.length, 1);
    const notification = await runLikeSageMaker(runtime.invocations[0]);
    await withFunctionEnvironment(aws.moto, settings, () => deliver(snsEvent(notification)));
  }

  it("a dropped recording gets four result files beside its relative path, with the same words in each", async () => {
    await transcribeDropped("drop/calls/monday/speech.m4a", fixture("speech.m4a"), "max_line_width=30");

    const results = (await objectKeys(aws.s3, BUCKET)).filter((key) => key.startsWith("results/")).sort();
    assert.deepEqual(results, [
      "results/calls/monday/speech.json",
      "results/calls/monday/speech.srt",
      "results/calls/monday/speech.txt",
      "results/calls/monday/speech.vtt",
    ]);
    const json = JSON.parse(await textAt(aws.s3, "results/calls/monday/speech.json"));
    const txt = await textAt(aws.s3, "results/calls/monday/speech.txt");
    const srt = await textAt(aws.s3, "results/calls/monday/speech.srt");
    const vtt = await textAt(aws.s3, "results/calls/monday/speech.vtt");
    assert.ok(wordErrorRate(EXPECTED, json.text) <= MAX_WER, json.text);
    assert.equal(json.model, "whisper-tiny.en");
    assert.deepEqual(words(txt), words(json.text));
    assert.deepEqual(words(cueText(srt)), words(json.text));
    assert.deepEqual(words(cueText(vtt)), words(json.text));
    assert.match(vtt, /^WEBVTT\n/);
    // The recording's own options reached the server: no subtitle line wider than 30 characters.
    const srtLines = srt.split("\n").filter((l) => l && !/^\d+$/.test(l) && !l.includes("-->"));
    assert.ok(Math.max(...srtLines.map((l) => l.length)) <= 30, srtLines.join("|"));
  });

  it("an option the model cannot honour gets the server's error in the error file", async () => {
    await transcribeDropped("drop/japanese.ogg", fixture("speech.ogg"), "language=ja");
    const keys = (await objectKeys(aws.s3, BUCKET)).filter((key) => key.startsWith("results/"));
    assert.deepEqual(keys, ["results/japanese.error.json"]);
    const error = JSON.parse(await textAt(aws.s3, "results/japanese.error.json"));
    assert.equal(error.recording, "drop/japanese.ogg");
    assert.equal(error.error, "bad_option");
    assert.match(error.message, /option 'language': 'ja' is not supported by this model/);
    assert.match(error.failureReason, /\(400\)/);
  });
});
