/**
 * The submit function against moto (S3 with conditional puts, SageMaker runtime's InvokeEndpointAsync): one
 * invocation per recording version, error files at once for what the endpoint could only fail on.
 */
import { strict as assert } from "node:assert";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { bundledHandler } from "../../components/function-code";
import { handler, submitRecording } from "../../functions/drop-folder/submit";
import { checkSize, MAX_RECORDING_BYTES, notAudioReason } from "../../functions/drop-folder/content-check";
import { ClaimInProgress, STALE_CLAIM_SECONDS } from "../../functions/drop-folder/claims";
import { claimKey, inferenceIdOf } from "../../functions/drop-folder/layout";
import { objectKeys, useMotoWithBucket } from "../support/moto";
import {
  BUCKET,
  drop,
  fixture,
  recordingRuntime,
  s3Event,
  settingsFor,
  textAt,
  bytesAt,
  requireBundle,
  withFunctionEnvironment,
} from "./support";

describe("drop folder: submit", function () {
  const aws = useMotoWithBucket(BUCKET);
  const settings = settingsFor({ defaultOptions: "language=en;max_line_width=30" });
  let runtime: ReturnType<typeof recordingRuntime>;
  const clients = () => ({ s3: aws.s3, sagemaker: runtime.client });

  beforeEach(() => {
    runtime = recordingRuntime(aws.moto);
  });

  it("submits a dropped recording once, the object itself as input, asking for every rendering", async () => {
    const object = await drop(aws.s3, "drop/team a/talk one.m4a", fixture("speech.m4a"), "language=de;diarize=true");
    const outcome = await submitRecording(clients(), settings, object);

    assert.equal(outcome.outcome, "submitted");
    assert.equal(runtime.invocations.length, 1);
    const [invocation] = runtime.invocations;
    // Spaces have no defined form in the InputLocation header: a copy under a URI-safe key is submitted instead.
    const staged = `async/drop-inputs/${invocation.InferenceId}/talk_one.m4a`;
    assert.equal(invocation.InputLocation, `s3://${BUCKET}/${staged}`);
    assert.deepEqual(await bytesAt(aws.s3, staged), fixture("speech.m4a"));
    assert.equal(invocation.Accept, "application/vnd.whisper.renderings+json");
    // The stack's defaults, each overridden by the recording's own metadata, new keys added.
    assert.equal(invocation.CustomAttributes, "language=de;max_line_width=30;diarize=true");
    assert.equal(invocation.EndpointName, settings.endpointName);
    assert.equal(invocation.InvocationTimeoutSeconds, 3600);
    assert.match(invocation.InferenceId!, /^drop-[0-9a-f]{40}$/);
    const claim = JSON.parse(await textAt(aws.s3, claimKey(settings, invocation.InferenceId!)));
    assert.equal(claim.recording, object.key);
    assert.equal(claim.eTag, object.eTag);
    assert.ok(Date.parse(claim.submittedAt) >= Date.parse(claim.claimedAt));
  });

  it("submits nothing for a repeated event, and again for changed audio at the same key", async () => {
    const first = await drop(aws.s3, "drop/talk.ogg", fixture("speech.ogg"));
    assert.equal((await submitRecording(clients(), settings, first)).outcome, "submitted");
    assert.equal(runtime.invocations[0].InputLocation, `s3://${BUCKET}/drop/talk.ogg`); // a URI-safe key: in place
    const repeated = await submitRecording(clients(), settings, first);
    assert.equal(repeated.outcome, "duplicate");
    assert.equal(runtime.invocations.length, 1);

    const changed = await drop(aws.s3, "drop/talk.ogg", fixture("meeting/part01.ogg"));
    assert.notEqual(changed.eTag, first.eTag);
    // The first version's late repeat finds it replaced: skipped, not submitted with the new bytes.
    assert.equal((await submitRecording(clients(), settings, first)).outcome, "skipped");
    assert.equal((await submitRecording(clients(), settings, changed)).outcome, "submitted");
    assert.equal(runtime.invocations.length, 2);
    assert.notEqual(runtime.invocations[0].InferenceId, runtime.invocations[1].InferenceId);
  });

  it("submits once for concurrent deliveries of one event; the others are retried and then do nothing", async () => {
    const object = await drop(aws.s3, "drop/twice.mp3", fixture("speech.mp3"));
    const first = await Promise.allSettled([1, 2, 3].map(() => submitRecording(clients(), settings, object)));
    const submitted = first.filter((r) => r.status === "fulfilled" && r.value.outcome === "submitted");
    assert.equal(submitted.length, 1);
    for (const other of first.filter((r) => !submitted.includes(r))) {
      // Either it found the claim submitted already, or still in progress (the event fails and Lambda retries it).
      if (other.status === "fulfilled") assert.equal(other.value.outcome, "duplicate");
      else assert.ok(other.reason instanceof ClaimInProgress, String(other.reason));
    }
    for (let retry = 0; retry < 2; retry++) {
      assert.equal((await submitRecording(clients(), settings, object)).outcome, "duplicate");
    }
    assert.equal(runtime.invocations.length, 1);
  });

  it("takes over a claim whose function died before invoking, once no run can still hold it", async () => {
    const object = await drop(aws.s3, "drop/orphan.wav", fixture("speech.wav"));
    const inferenceId = inferenceIdOf(object.key, object.eTag, settings.defaultOptions);
    const orphan = (claimedAt: Date) =>
      JSON.stringify({ recording: object.key, eTag: object.eTag, options: "", claimedAt: claimedAt.toISOString() });
    const key = claimKey(settings, inferenceId);
    await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: orphan(new Date()) }));
    await assert.rejects(submitRecording(clients(), settings, object), ClaimInProgress);
    assert.equal(runtime.invocations.length, 0);

    const stale = new Date(Date.now() - (STALE_CLAIM_SECONDS + 1) * 1000);
    await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: orphan(stale) }));
    const outcome = await submitRecording(clients(), settings, object);
    assert.equal(outcome.outcome, "submitted");
    assert.equal(runtime.invocations.length, 1);
    assert.equal((await submitRecording(clients(), settings, object)).outcome, "duplicate");
    assert.equal(runtime.invocations.length, 1);
  });

  it("writes an error file for a text file renamed .mp3, without invoking the endpoint", async () => {
    const object = await drop(aws.s3, "drop/notes/minutes.mp3", "Minutes of the meeting.\nAll agreed.\n");
    const outcome = await submitRecording(clients(), settings, object);
    assert.deepEqual(outcome, {
      outcome: "refused",
      error: "unsupported_media",
      errorKey: "results/notes/minutes.error.json",
    });
    const error = JSON.parse(await textAt(aws.s3, "results/notes/minutes.error.json"));
    assert.equal(error.recording, "drop/notes/minutes.mp3");
    assert.equal(error.error, "unsupported_media");
    assert.match(error.message, /not audio or video \(it is text\)/);
    assert.equal(runtime.invocations.length, 0);
  });

  it("writes an error file for options the server does not have, without invoking the endpoint", async () => {
    const object = await drop(aws.s3, "drop/talk.wav", fixture("speech.wav"), "langauge=ja");
    const outcome = await submitRecording(clients(), settings, object);
    assert.equal(outcome.outcome, "refused");
    const error = JSON.parse(await textAt(aws.s3, "results/talk.error.json"));
    assert.equal(error.error, "bad_option");
    assert.match(error.message, /metadata whisper-options: unknown option 'langauge'; known options: language, task/);
    assert.equal(runtime.invocations.length, 0);
  });

  it("takes its claim back when the invocation fails, so the retry submits", async () => {
    const object = await drop(aws.s3, "drop/retry.flac", fixture("speech.flac"));
    let failures = 1;
    runtime.client.middlewareStack.add(
      (next) => async (args) => {
        if (failures-- > 0)
          throw Object.assign(new Error("ServiceUnavailable"), { $metadata: { httpStatusCode: 503 } });
        return next(args);
      },
      { step: "initialize", name: "failOnce" },
    );
    await assert.rejects(submitRecording(clients(), settings, object), /ServiceUnavailable/);
    assert.deepEqual(
      (await objectKeys(aws.s3, BUCKET)).filter((key) => key.startsWith(settings.claimsPrefix)),
      [],
    );
    assert.equal((await submitRecording(clients(), settings, object)).outcome, "submitted");
    assert.equal(runtime.invocations.filter((i) => i.InputLocation?.endsWith("retry.flac")).length, 2);
  });

  it("skips folder markers and keys outside the drop prefix", async () => {
    const folder = await drop(aws.s3, "drop/team/", "");
    assert.deepEqual(await submitRecording(clients(), settings, folder), {
      outcome: "skipped",
      reason: "a folder marker",
    });
    const outside = await drop(aws.s3, "elsewhere/talk.mp3", fixture("speech.mp3"));
    assert.equal((await submitRecording(clients(), settings, outside)).outcome, "skipped");
    assert.equal(runtime.invocations.length, 0);
  });

  it("handler: an S3 event as S3 sends it (URL-encoded key) leads to one invocation", async () => {
    const object = await drop(aws.s3, "drop/team a/talk (1).webm", fixture("speech.webm"));
    await withFunctionEnvironment(aws.moto, settingsFor({ formats: ["json", "srt"] }), async () => {
      const outcomes = await handler(s3Event(object));
      assert.equal(outcomes.length, 1);
      assert.equal(outcomes[0].outcome, "submitted");
      assert.equal((await handler(s3Event(object)))[0].outcome, "duplicate");
    });
    const head = await aws.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: object.key }));
    assert.equal(head.ContentLength, object.size); // the recording itself is left as it was
  });
});

describe("drop folder: submit as deployed (the esbuild bundle)", function () {
  const aws = useMotoWithBucket(BUCKET);

  it("claims and submits a dropped recording, and refuses a text file, like the source", async () => {
    const bundle = requireBundle(bundledHandler("functions/drop-folder/submit.ts"));
    const submit = bundle.handler as (event: unknown) => Promise<{ outcome: string; inferenceId?: string }[]>;
    const recording = await drop(aws.s3, "drop/bundle.mp3", fixture("speech.mp3"));
    const notes = await drop(aws.s3, "drop/notes.mp3", "not audio at all\n");
    await withFunctionEnvironment(aws.moto, settingsFor(), async () => {
      const [submitted] = await submit(s3Event(recording));
      assert.equal(submitted.outcome, "submitted");
      const claim = JSON.parse(await textAt(aws.s3, claimKey(settingsFor(), submitted.inferenceId!)));
      assert.equal(claim.recording, "drop/bundle.mp3");
      assert.ok(claim.submittedAt);
      assert.equal((await submit(s3Event(notes)))[0].outcome, "refused");
    });
    assert.equal(JSON.parse(await textAt(aws.s3, "results/notes.error.json")).error, "unsupported_media");
  });
});

describe("drop folder: what is refused before the endpoint", function () {
  it("an empty object, and one over SageMaker's 1 GiB", function () {
    assert.throws(() => checkSize(0), { code: "empty_body" });
    assert.doesNotThrow(() => checkSize(MAX_RECORDING_BYTES));
    assert.throws(() => checkSize(MAX_RECORDING_BYTES + 1), {
      code: "payload_too_large",
      message: /1073741825 bytes, more than the 1073741824 bytes \(1 GiB\)/,
    });
  });

  it("text and common non-audio files, but never the audio fixtures", function () {
    assert.equal(notAudioReason(new TextEncoder().encode("WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n")), "it is text");
    assert.equal(notAudioReason(fixture("image.png")), "it is a PNG image");
    assert.equal(notAudioReason(new TextEncoder().encode("%PDF-1.7\n")), "it is a PDF document");
    for (const name of [
      "speech.flac",
      "speech.m4a",
      "speech.mp3",
      "speech.mp4",
      "speech.ogg",
      "speech.wav",
      "speech.webm",
    ]) {
      assert.equal(notAudioReason(fixture(name).subarray(0, 4096)), undefined, name);
    }
  });
});
