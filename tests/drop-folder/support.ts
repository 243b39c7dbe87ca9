/** Shared by the drop-folder tests: the functions' settings, clients of moto, and events as AWS sends them. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { SageMakerRuntimeClient, type InvokeEndpointAsyncCommandInput } from "@aws-sdk/client-sagemaker-runtime";
import { FORMATS } from "../../functions/drop-folder/layout";
import { environmentOf, type DropFolderSettings } from "../../functions/drop-folder/settings";
import { repoRoot, type MotoServer } from "../support/moto";

export const BUCKET = "drop-folder-test";
export const FIXTURES = join(repoRoot, "fixtures", "audio");

export function settingsFor(overrides: Partial<DropFolderSettings> = {}): DropFolderSettings {
  return {
    bucket: BUCKET,
    endpointName: "whisper-test-g4dn-xlarge",
    dropPrefix: "drop/",
    resultsPrefix: "results/",
    claimsPrefix: "async/drop-claims/",
    stagingPrefix: "async/drop-inputs/",
    formats: [...FORMATS],
    defaultOptions: "",
    ...overrides,
  };
}

/**
 * Runs `work` with the process environment a deployed function gets (its settings as environment variables, the
 * SDK pointed at moto), as the handlers read it; the environment is restored afterwards.
 */
export async function withFunctionEnvironment<T>(
  moto: MotoServer,
  settings: DropFolderSettings,
  work: () => Promise<T>,
): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, moto.awsEnv, environmentOf(settings));
  try {
    return await work();
  } finally {
    process.env = saved;
  }
}

/** A SageMaker runtime client of moto that records the input of every InvokeEndpointAsync it sends. */
export function recordingRuntime(moto: MotoServer): {
  client: SageMakerRuntimeClient;
  invocations: InvokeEndpointAsyncCommandInput[];
} {
  const client = new SageMakerRuntimeClient({
    endpoint: moto.endpoint,
    region: moto.awsEnv.AWS_REGION,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  const invocations: InvokeEndpointAsyncCommandInput[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      invocations.push(args.input as InvokeEndpointAsyncCommandInput);
      return next(args);
    },
    { step: "initialize", name: "recordInvocations" },
  );
  return { client, invocations };
}

/** Puts `body` at `key` and returns the object's ETag (without quotes), as S3's event would carry it. */
export async function drop(
  s3: S3Client,
  key: string,
  body: Uint8Array | string,
  options?: string,
): Promise<{ key: string; eTag: string; size: number }> {
  const put = await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: body,
      Metadata: options === undefined ? undefined : { "whisper-options": options },
    }),
  );
  return { key, eTag: put.ETag!.replace(/"/g, ""), size: typeof body === "string" ? body.length : body.byteLength };
}

/** Loads bundled handler code the way Lambda does (`require` of index.js) and returns its exports. */
export function requireBundle(code: string): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), "drop-bundle-"));
  try {
    writeFileSync(join(dir, "index.js"), code);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(join(dir, "index.js"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function fixture(name: string): Uint8Array {
  return readFileSync(join(FIXTURES, name));
}

export async function bytesAt(s3: S3Client, key: string): Promise<Uint8Array> {
  const response = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

export async function textAt(s3: S3Client, key: string): Promise<string> {
  const response = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return response.Body!.transformToString("utf-8");
}

/** An S3 event notification with one `ObjectCreated:Put` record, as S3 sends it to Lambda (key URL-encoded). */
export function s3Event(object: { key: string; eTag: string; size: number }): object {
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: "us-east-1",
        eventTime: new Date().toISOString(),
        eventName: "ObjectCreated:Put",
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "drop-folder",
          bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
          object: {
            key: encodeURIComponent(object.key).replace(/%20/g, "+").replace(/%2F/g, "/"),
            size: object.size,
            eTag: object.eTag,
            sequencer: "0055AED6DCD90281E5",
          },
        },
      },
    ],
  };
}

/** SageMaker's notification of a finished asynchronous inference (the message SNS carries). */
export function sagemakerNotification(
  inferenceId: string,
  result: { outputLocation: string } | { failureLocation?: string; failureReason: string },
  inputLocation = `s3://${BUCKET}/drop/x`,
): string {
  const completed = "outputLocation" in result;
  return JSON.stringify({
    awsRegion: "us-east-1",
    eventTime: new Date().toISOString(),
    receivedTime: new Date().toISOString(),
    invocationStatus: completed ? "Completed" : "Failed",
    ...(completed ? {} : { failureReason: result.failureReason }),
    requestParameters: { endpointName: "whisper-test-g4dn-xlarge", inputLocation },
    responseParameters: completed
      ? { contentType: "application/vnd.whisper.renderings+json", outputLocation: result.outputLocation }
      : {
          contentType: "application/json",
          ...(result.failureLocation ? { failureLocation: result.failureLocation } : {}),
        },
    inferenceId,
    eventVersion: "1.0",
    eventSource: "aws:sagemaker",
    eventName: "InferenceResult",
  });
}

/** An SNS event with one record carrying `message`, as SNS invokes a subscribed Lambda function. */
export function snsEvent(message: string, topic = "success"): object {
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: `arn:aws:sns:us-east-1:123456789012:${topic}:0b1f6c2e`,
        Sns: {
          Type: "Notification",
          MessageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
          TopicArn: `arn:aws:sns:us-east-1:123456789012:${topic}`,
          Subject: null,
          Message: message,
          Timestamp: new Date().toISOString(),
          MessageAttributes: {},
        },
      },
    ],
  };
}
