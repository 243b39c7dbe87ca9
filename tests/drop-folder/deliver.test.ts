/**
 * The deliver function against moto: SageMaker's notifications (the message shapes SageMaker publishes) turned into
 * the result files next to the recording's relative path, or its error file; nothing lost when a write fails once.
 */
import { strict as assert } from "node:assert";
import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { deliverResult, handler } from "../../functions/drop-folder/deliver";
import { inferenceNotifications } from "../../functions/drop-folder/events";
import { submitRecording } from "../../functions/drop-folder/submit";
import { objectKeys, useMotoWithBucket } from "../support/moto";
import {
  BUCKET,
  drop,
  fixture,
  recordingRuntime,
  sagemakerNotification,
  settingsFor,
  snsEvent,
  textAt,
  withFunctionEnvironment,
} from "./support";

/** A response of the renderings media type, as the server writes it (see inference/tests/test_renderings.py). */
const RENDERINGS = {
  json: {
    text: "Hello there.",
    language: "en",
    duration: 1.5,
    segments: [{ id: 0, start: 0, end: 1.5, text: "Hello there." }],
  },
  txt: "Hello there.\n",
  srt: "1\n00:00:00,000 --> 00:00:01,500\nHello there.\n",
  vtt: "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello there.\n",
};

describe("drop folder: deliver", function () {
  const aws = useMotoWithBucket(BUCKET);
  const settings = settingsFor();
  const clients = () => ({ s3: aws.s3 });

  /** Drops a recording and submits it; returns its inference id. */
  async function submitted(key: string): Promise<string> {
    const object = await drop(aws.s3, key, fixture("speech.ogg"));
    const outcome = await submitRecording(
      { s3: aws.s3, sagemaker: recordingRuntime(aws.moto).client },
      settings,
      object,
    );
    assert.equal(outcome.outcome, "submitted");
    return (outcome as { inferenceId: string }).inferenceId;
  }

  /** Puts what SageMaker would write at the output (or failure) path and returns its location. */
  async function written(key: string, body: string): Promise<string> {
    await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    return `s3://${BUCKET}/${key}`;
  }

  const notified = (message: string) => inferenceNotifications(snsEvent(message))[0];

  it("writes every rendering beside the recording's relative path and removes an earlier error file", async () => {
    const id = await submitted("drop/team/talk.ogg");
    await written("results/team/talk.error.json", "{}");
    const output = await written(`async/outputs/${id}.out`, JSON.stringify(RENDERINGS));
    const outcome = await deliverResult(
      clients(),
      settings,
      notified(sagemakerNotification(id, { outputLocation: output })),
    );

    assert.deepEqual(outcome, {
      outcome: "delivered",
      keys: ["results/team/talk.json", "results/team/talk.txt", "results/team/talk.srt", "results/team/talk.vtt"],
    });
    assert.deepEqual(JSON.parse(await textAt(aws.s3, "results/team/talk.json")), RENDERINGS.json);
    assert.equal(await textAt(aws.s3, "results/team/talk.txt"), RENDERINGS.txt);
    assert.equal(await textAt(aws.s3, "results/team/talk.srt"), RENDERINGS.srt);
    assert.equal(await textAt(aws.s3, "results/team/talk.vtt"), RENDERINGS.vtt);
    assert.ok(!(await objectKeys(aws.s3, BUCKET)).includes("results/team/talk.error.json"));
  });

  it("writes only the configured formats, and a repeated notification writes the same files again", async () => {
    const id = await submitted("drop/talk.ogg");
    const output = await written(`async/outputs/${id}.out`, JSON.stringify(RENDERINGS));
    const only = settingsFor({ formats: ["srt", "txt"] });
    const message = notified(sagemakerNotification(id, { outputLocation: output }));
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(await deliverResult(clients(), only, message), {
        outcome: "delivered",
        keys: ["results/talk.srt", "results/talk.txt"],
      });
    }
    assert.deepEqual((await objectKeys(aws.s3, BUCKET)).filter((k) => k.startsWith("results/")).sort(), [
      "results/talk.srt",
      "results/talk.txt",
    ]);
  });

  it("turns a failure notification into an error file with the server's code and message", async () => {
    const id = await submitted("drop/bad/options.ogg");
    const failure = await written(
      `async/failures/${id}-error.out`,
      JSON.stringify({ error: "bad_option", message: "option 'language': 'xx' is not supported by this model" }),
    );
    const reason = "ClientError: Received client error (400) from primary with message ...";
    const outcome = await deliverResult(
      clients(),
      settings,
      notified(sagemakerNotification(id, { failureLocation: failure, failureReason: reason })),
    );
    assert.deepEqual(outcome, { outcome: "failed", errorKey: "results/bad/options.error.json", error: "bad_option" });
    assert.deepEqual(JSON.parse(await textAt(aws.s3, "results/bad/options.error.json")), {
      recording: "drop/bad/options.ogg",
      error: "bad_option",
      message: "option 'language': 'xx' is not supported by this model",
      inferenceId: id,
      failureReason: reason,
    });
  });

  it("a failure without the server's answer (a timeout) keeps SageMaker's reason", async () => {
    const id = await submitted("drop/long.ogg");
    const reason = "InvocationTimeout: Inference request timed out after 3600 seconds.";
    await deliverResult(clients(), settings, notified(sagemakerNotification(id, { failureReason: reason })));
    const error = JSON.parse(await textAt(aws.s3, "results/long.error.json"));
    assert.equal(error.error, "inference_failed");
    assert.equal(error.message, reason);
  });

  it("ignores other clients' inferences and versions replaced since, and delivers for a deleted recording", async () => {
    const other = sagemakerNotification("cli-1234", { outputLocation: `s3://${BUCKET}/async/outputs/cli-1234.out` });
    assert.deepEqual(await deliverResult(clients(), settings, notified(other)), {
      outcome: "ignored",
      reason: "not a drop-folder inference",
    });

    const replaced = await submitted("drop/replaced.ogg");
    await drop(aws.s3, "drop/replaced.ogg", fixture("meeting/part02.ogg"));
    const output = await written(`async/outputs/${replaced}.out`, JSON.stringify(RENDERINGS));
    const late = await deliverResult(
      clients(),
      settings,
      notified(sagemakerNotification(replaced, { outputLocation: output })),
    );
    assert.equal(late.outcome, "ignored");

    const deleted = await submitted("drop/deleted.ogg");
    await aws.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "drop/deleted.ogg" }));
    const deletedOutput = await written(`async/outputs/${deleted}.out`, JSON.stringify(RENDERINGS));
    const kept = await deliverResult(
      clients(),
      settings,
      notified(sagemakerNotification(deleted, { outputLocation: deletedOutput })),
    );
    assert.equal(kept.outcome, "delivered");
    assert.deepEqual((await objectKeys(aws.s3, BUCKET)).filter((k) => k.startsWith("results/")).sort(), [
      "results/deleted.json",
      "results/deleted.srt",
      "results/deleted.txt",
      "results/deleted.vtt",
    ]);
  });

  it("loses nothing when a write fails once: the retry writes every file", async () => {
    const id = await submitted("drop/flaky.ogg");
    const output = await written(`async/outputs/${id}.out`, JSON.stringify(RENDERINGS));
    const message = notified(sagemakerNotification(id, { outputLocation: output }));
    let puts = 0;
    aws.s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "PutObjectCommand" && ++puts === 2) {
          throw Object.assign(new Error("SlowDown"), { $metadata: { httpStatusCode: 503 } });
        }
        return next(args);
      },
      { step: "initialize", name: "failSecondPut" },
    );
    try {
      await assert.rejects(deliverResult(clients(), settings, message), /SlowDown/);
      assert.equal((await deliverResult(clients(), settings, message)).outcome, "delivered");
    } finally {
      aws.s3.middlewareStack.remove("failSecondPut");
    }
    assert.equal(await textAt(aws.s3, "results/flaky.vtt"), RENDERINGS.vtt);
    assert.equal(await textAt(aws.s3, "results/flaky.txt"), RENDERINGS.txt);
  });

  it("a response without a configured rendering fails the delivery (dead-letter queue), writing nothing", async () => {
    const id = await submitted("drop/partial.ogg");
    const output = await written(`async/outputs/${id}.out`, JSON.stringify({ json: RENDERINGS.json }));
    await assert.rejects(
      deliverResult(clients(), settings, notified(sagemakerNotification(id, { outputLocation: output }))),
      /has no txt, srt, vtt rendering/,
    );
    assert.deepEqual(
      (await objectKeys(aws.s3, BUCKET)).filter((k) => k.startsWith("results/")),
      [],
    );
  });

  it("handler: an SNS event as SNS invokes a subscribed function", async () => {
    const id = await submitted("drop/handler.ogg");
    const output = await written(`async/outputs/${id}.out`, JSON.stringify(RENDERINGS));
    await withFunctionEnvironment(aws.moto, settingsFor({ formats: ["vtt"] }), async () => {
      const outcomes = await handler(snsEvent(sagemakerNotification(id, { outputLocation: output })));
      assert.deepEqual(outcomes, [{ outcome: "delivered", keys: ["results/handler.vtt"] }]);
      await assert.rejects(
        handler({ Records: [{ Sns: { Message: "not json" } }] }),
        /not a SageMaker inference notification/,
      );
    });
  });
});
