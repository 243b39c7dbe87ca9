/** Where jobs go: `--local URL`, or an async endpoint from flags and/or the Pulumi stack's outputs. */
import { AsyncTranscriber } from "../../clients/typescript/src/async-transcriber";
import { stringOption, type CliOptions, type CliValues } from "../cli-kit/args";
import { UsageError } from "../../clients/typescript/src/errors";
import type { Transcriber } from "../../clients/typescript/src/job";
import { LocalTranscriber, parseLocalUrl } from "../../clients/typescript/src/local-transcriber";
import { flagOrStackOutput, readStackOutputs, type StackOutputs } from "./stack-outputs";

/** Input prefix when neither --prefix nor the stack's inputPrefix output says otherwise. */
export const DEFAULT_INPUT_PREFIX = "async/inputs/";

export const TARGET_CLI_OPTIONS: CliOptions = {
  endpoint: { type: "string", value: "NAME", help: "SageMaker endpoint name. Default: stack output endpointName." },
  bucket: { type: "string", value: "NAME", help: "Bucket for uploads. Default: stack output bucketName." },
  prefix: {
    type: "string",
    value: "PREFIX",
    help: `Key prefix for uploads. Default: stack output inputPrefix, else ${DEFAULT_INPUT_PREFIX}`,
  },
  caller: {
    type: "string",
    value: "NAME",
    help: "Submit as this caller of whisper-async:callers: uploads under <prefix>NAME/, results under async/outputs/NAME/.",
  },
  stack: { type: "string", value: "NAME", help: "Pulumi stack to read outputs from. Default: the selected stack." },
  local: { type: "string", value: "URL", help: "Send to a local server instead, e.g. http://127.0.0.1:8080." },
};

/**
 * The transcriber the flags ask for. The stack is only consulted when --stack is given or --endpoint or
 * --bucket is missing, so a run with both flags needs no Pulumi CLI.
 */
export async function transcriberFrom(values: CliValues): Promise<Transcriber> {
  const local = stringOption(values, "local");
  const endpoint = stringOption(values, "endpoint");
  const bucket = stringOption(values, "bucket");
  const prefix = stringOption(values, "prefix");
  const stack = stringOption(values, "stack");
  const caller = stringOption(values, "caller");
  if (local !== undefined) {
    if (endpoint || bucket || prefix || stack || caller) {
      throw new UsageError("--local cannot be combined with --endpoint, --bucket, --prefix, --caller or --stack");
    }
    return new LocalTranscriber(parseLocalUrl(local));
  }
  const outputs: StackOutputs = stack !== undefined || !endpoint || !bucket ? await readStackOutputs(stack) : {};
  return new AsyncTranscriber({
    endpointName: flagOrStackOutput(endpoint, outputs, "endpoint", "endpointName"),
    bucket: flagOrStackOutput(bucket, outputs, "bucket", "bucketName"),
    inputPrefix:
      normalizePrefix(prefix ?? outputs.inputPrefix ?? DEFAULT_INPUT_PREFIX) +
      (caller === undefined ? "" : `${caller}/`),
    outputPathExtension: caller,
  });
}

/** `/a/b` -> `a/b/`: S3 keys have no leading slash, and uploads go under the prefix as a folder. */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, "");
  return trimmed === "" || trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
}
