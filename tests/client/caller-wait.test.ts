/**
 * Waiting as one of the stack's callers (`--caller`, S3OutputPathExtension) when S3 answers the result checks with
 * 403: how S3 evaluates a caller's `s3:prefix`-conditioned ListBucket for a missing key is not documented, so every
 * check may be a 403 until the result is written. Against moto's S3 with a bucket policy that denies the checks
 * under the caller's prefixes (moto enforces a bucket policy's Deny on object requests; it names a HEAD
 * `s3:HeadObject`, S3 authorizes it as `s3:GetObject`). The runtime is a stub that answers with the locations.
 */
import { strict as assert } from "node:assert";
import { DeleteBucketPolicyCommand, PutBucketPolicyCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { AsyncTranscriber, DENIED_WHILE_WAITING } from "../../clients/typescript/src/async-transcriber";
import { WaitTimeoutError } from "../../clients/typescript/src/errors";
import { useMotoWithBucket } from "../support/moto";
import { transcriptJson } from "./helpers";

const BUCKET = "caller-bucket";
const SAMPLE = "fixtures/audio/speech.flac";
const OUTPUT_KEY = "async/outputs/web/job-1.out";

describe("a caller waits through 403 until its result is visible", function () {
  this.timeout(30_000);
  const emulator = useMotoWithBucket(BUCKET);

  const denyChecksUnderCallerPrefixes = () =>
    emulator.s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "NoListingSoEveryCheckIs403",
              Effect: "Deny",
              Principal: "*",
              Action: ["s3:GetObject", "s3:HeadObject"],
              Resource: [`arn:aws:s3:::${BUCKET}/async/outputs/web/*`, `arn:aws:s3:::${BUCKET}/async/failures/web/*`],
            },
          ],
        }),
      }),
    );

  const runtime = {
    send: async () => ({
      OutputLocation: `s3://${BUCKET}/${OUTPUT_KEY}`,
      FailureLocation: `s3://${BUCKET}/async/failures/web/job-1-error.out`,
    }),
  } as unknown as SageMakerRuntimeClient;

  const transcriber = (outputPathExtension?: string) =>
    new AsyncTranscriber(
      { endpointName: "ep", bucket: BUCKET, inputPrefix: "async/inputs/web/", outputPathExtension },
      { s3: emulator.s3, runtime },
    );
  const options = (timeoutSeconds: number) => ({ format: "json", decoding: {}, timeoutSeconds }) as never;

  it("counts a 403 as 'not yet' and returns the result once it can be read", async function () {
    await denyChecksUnderCallerPrefixes();
    let checksDenied = false;
    const written = (async () => {
      // Two seconds of 403s, then the result is written and the caller may read it.
      await new Promise((r) => setTimeout(r, 2000));
      checksDenied = true;
      await emulator.s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
      await emulator.s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: OUTPUT_KEY, Body: transcriptJson("as a caller", 6.9) }),
      );
    })();
    const result = await transcriber("web").transcribe(SAMPLE, options(20));
    await written;
    assert.ok(checksDenied, "the result came only after the 403s");
    assert.equal(JSON.parse(result.body).text, "as a caller");
  });

  it("says at the timeout that nothing was visible and to check the caller policy", async function () {
    await denyChecksUnderCallerPrefixes();
    await assert.rejects(
      transcriber("web").transcribe(SAMPLE, options(3)),
      (e: unknown) =>
        e instanceof WaitTimeoutError &&
        e.message.includes(`it may still appear at s3://${BUCKET}/${OUTPUT_KEY}`) &&
        e.message.endsWith(DENIED_WHILE_WAITING) &&
        /if this persists, check the caller policy/.test(e.message),
    );
  });

  it("without a caller a 403 stays an error, at the first check", async function () {
    await denyChecksUnderCallerPrefixes();
    const started = Date.now();
    await assert.rejects(
      transcriber(undefined).transcribe(SAMPLE, options(20)),
      /access denied checking s3:\/\/caller-bucket\/async\/outputs\/web\/job-1\.out/,
    );
    assert.ok(Date.now() - started < 5000);
  });
});
