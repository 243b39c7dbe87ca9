/**
 * `--caller NAME`: the upload goes under the caller's own input prefix and InvokeEndpointAsync asks for the results
 * under `async/outputs/NAME/` (S3OutputPathExtension), the prefixes that caller's policy may list, so a result not
 * written yet reads as 404 for it. The AWS clients are fakes that record the calls.
 */
import { strict as assert } from "node:assert";
import { S3Client } from "@aws-sdk/client-s3";
import type { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { AsyncTranscriber } from "../../clients/typescript/src/async-transcriber";
import { transcriberFrom } from "../../scripts/client/target";

describe("transcribe as one of the stack's callers", function () {
  it("uploads under async/inputs/<caller>/ and asks for results under the caller's extension", async function () {
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    const record = (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ name: command.constructor.name, input: command.input });
    };
    // A real client whose requests stop before the network: every S3 call succeeds empty.
    const s3 = new S3Client({
      region: "us-east-1",
      endpoint: "http://127.0.0.1:9",
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    s3.middlewareStack.add(() => async () => ({ output: { $metadata: {} }, response: {} }), {
      step: "finalizeRequest",
      name: "answerEmpty",
    });
    const runtime = {
      send: async (c: never) => {
        record(c);
        throw new Error("stop after the invocation");
      },
    } as unknown as SageMakerRuntimeClient;
    const target = (await transcriberFrom({ endpoint: "ep", bucket: "b", caller: "web" })) as AsyncTranscriber;
    assert.equal(target.description, "endpoint ep (s3://b/async/inputs/web/)");
    const transcriber = new AsyncTranscriber(
      { endpointName: "ep", bucket: "b", inputPrefix: "async/inputs/web/", outputPathExtension: "web" },
      { s3, runtime },
    );
    await assert.rejects(
      transcriber.transcribe("fixtures/audio/speech.flac", {
        format: "json",
        decoding: {},
        timeoutSeconds: 30,
      } as never),
      /stop after the invocation/,
    );
    const invoke = sent.find((c) => c.name === "InvokeEndpointAsyncCommand")!;
    assert.equal(invoke.input.S3OutputPathExtension, "web");
    assert.match(String(invoke.input.InputLocation), /^s3:\/\/b\/async\/inputs\/web\//);
  });

  it("refuses --caller with --local", async function () {
    await assert.rejects(transcriberFrom({ local: "http://127.0.0.1:1", caller: "web" }), /--local cannot be combined/);
  });
});
