import assert from "node:assert/strict";
import { join } from "node:path";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import {
  JobFailedError,
  UsageError,
  checkDecodingOptions,
  transcribeFile,
  type AsyncClients,
} from "../../clients/typescript";
import { objectKeys, repoRoot, useMotoWithBucket } from "../support/moto";
import { queueAsyncResults, transcriptJson } from "./helpers";

// The client's documented entry point, used as an app would: import, transcribe against moto, read the result or
// the server's error.
const BUCKET = "entry-bucket";
const SAMPLE = join(repoRoot, "fixtures", "audio", "speech.m4a");

describe("the TypeScript client's entry point (clients/typescript, whisper-sagemaker-async/client)", function () {
  this.timeout(30_000);
  const emulator = useMotoWithBucket(BUCKET);
  const target = { endpointName: "ep", bucket: BUCKET, inputPrefix: "async/inputs/" };
  const clients = (): AsyncClients => ({
    s3: emulator.s3,
    runtime: new SageMakerRuntimeClient({
      endpoint: emulator.moto.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    }),
  });

  it("is what the package's exports name", () => {
    assert.equal(
      require.resolve("whisper-sagemaker-async/client"),
      join(repoRoot, "clients", "typescript", "index.ts"),
    );
  });

  it("transcribes a file and returns the server's result", async () => {
    await queueAsyncResults(emulator.moto.endpoint, [{ data: transcriptJson("from code", 6.9) }]);
    const statuses: string[] = [];
    const result = await transcribeFile(
      SAMPLE,
      target,
      { options: { language: "en" }, inferenceId: "code-1", onStatus: (status) => statuses.push(status) },
      clients(),
    );
    assert.equal(JSON.parse(result.body).text, "from code");
    assert.equal(result.audioSeconds, 6.9);
    assert.equal(result.inferenceId, "code-1");
    assert.ok(statuses.includes("queued or processing"), statuses.join(", "));
    assert.deepEqual(await objectKeys(emulator.s3, BUCKET), ["async/inputs/code-1/speech.m4a"]);
  });

  it("rejects with the server's error", async () => {
    const error = { error: "unsupported_media", message: "no audio track" };
    await queueAsyncResults(emulator.moto.endpoint, [{ is_failure: true, data: JSON.stringify(error) }]);
    await assert.rejects(
      transcribeFile(SAMPLE, target, {}, clients()),
      (thrown: unknown) =>
        thrown instanceof JobFailedError && /^no audio track \(unsupported_media\)/.test(thrown.message),
    );
  });

  it("refuses options the server would refuse, before uploading", async () => {
    const bad: [object, RegExp][] = [
      [{ beam_size: 99 }, /option beam_size must be from 1 to 20, got 99/],
      [{ task: "summarise" }, /option task must be one of transcribe, translate/],
      [{ colour: "blue" }, /unknown option colour; the server accepts language, task/],
      [{ vad: "yes" }, /option vad must be true or false/],
    ];
    for (const [options, message] of bad) {
      await assert.rejects(transcribeFile(SAMPLE, target, { options }, clients()), (thrown: unknown) => {
        return thrown instanceof UsageError && message.test(thrown.message);
      });
    }
    assert.deepEqual(await objectKeys(emulator.s3, BUCKET), []);
    assert.deepEqual(checkDecodingOptions({ language: "de", temperature: 0.2, diarize: true }), {
      language: "de",
      temperature: 0.2,
      diarize: true,
    });
  });
});
