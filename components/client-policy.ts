import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PREFIXES } from "./storage";
import { kmsStatements, type Statement } from "./execution-role";

export interface ClientPolicyArgs {
  readonly endpointArn: pulumi.Input<string>;
  readonly bucketArn: pulumi.Input<string>;
  readonly kmsKeyArn?: string;
  /**
   * The one app this policy is for: it may upload only under `async/inputs/<caller>/` and list only its own
   * prefixes (see {@link callerStatements}). Defaults to undefined: the shared policy of {@link clientStatements}.
   */
  readonly caller?: string;
  readonly tags?: Record<string, string>;
}

/**
 * What an upload of the inputs needs: PutObject (single and multipart), and AbortMultipartUpload, so that a client
 * whose multipart upload fails or is cancelled removes its parts at once (the CLIs' lib-storage, boto3's
 * upload_file) instead of leaving them billed until the bucket's one-day incomplete-upload rule.
 */
export const UPLOAD_ACTIONS = ["s3:PutObject", "s3:AbortMultipartUpload"];

/**
 * Statements a job submitter needs: invoke this endpoint, upload inputs, read outputs and failures.
 * `s3:ListBucket` makes S3 answer 404 rather than 403 for a result that is not written yet, which is how a
 * waiting client tells "not yet" from "not allowed"; it reveals key names in the bucket, not their contents.
 */
export function clientStatements(r: { endpointArn: string; bucketArn: string; kmsKeyArn?: string }): Statement[] {
  const statements: Statement[] = [
    { Sid: "InvokeAsync", Effect: "Allow", Action: ["sagemaker:InvokeEndpointAsync"], Resource: r.endpointArn },
    { Sid: "UploadInputs", Effect: "Allow", Action: UPLOAD_ACTIONS, Resource: `${r.bucketArn}/${PREFIXES.inputs}*` },
    {
      Sid: "ReadResults",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [`${r.bucketArn}/${PREFIXES.outputs}*`, `${r.bucketArn}/${PREFIXES.failures}*`],
    },
    { Sid: "TellMissingResults", Effect: "Allow", Action: ["s3:ListBucket"], Resource: r.bucketArn },
  ];
  return [...statements, ...kmsStatements(r.kmsKeyArn)];
}

/** Key prefix under which one caller uploads its inputs. */
export function callerInputPrefix(caller: string): string {
  return `${PREFIXES.inputs}${caller}/`;
}

/**
 * Key prefixes of one caller's own results: where SageMaker writes them when the caller submits with
 * InvokeEndpointAsync's `S3OutputPathExtension` set to its name (`async/outputs/<caller>/`, and the same under
 * `async/failures/`). The caller name is also that extension.
 */
export function callerResultPrefixes(caller: string): string[] {
  return [`${PREFIXES.outputs}${caller}/`, `${PREFIXES.failures}${caller}/`];
}

/**
 * Statements for one of several callers that must not read each other's work. Inputs are split: a caller writes
 * only under its own prefix. It may read any result key it knows (the one InvokeEndpointAsync returned to it; keys
 * are random UUIDs), and may list only its own prefixes (an `s3:prefix` condition): that listing is what makes S3
 * answer 404, not 403, while its result is not there yet (S3 hides existence from a caller who may not list), and
 * it shows no key of another caller. Results land under the caller's own prefixes when it submits with
 * `S3OutputPathExtension` = its name (the bundled CLIs and docs/deploying.md, "Callers").
 */
export function callerStatements(r: {
  endpointArn: string;
  bucketArn: string;
  caller: string;
  kmsKeyArn?: string;
}): Statement[] {
  const ownPrefixes = [callerInputPrefix(r.caller), ...callerResultPrefixes(r.caller)];
  const statements: Statement[] = [
    { Sid: "InvokeAsync", Effect: "Allow", Action: ["sagemaker:InvokeEndpointAsync"], Resource: r.endpointArn },
    {
      Sid: "UploadOwnInputs",
      Effect: "Allow",
      Action: UPLOAD_ACTIONS,
      Resource: `${r.bucketArn}/${callerInputPrefix(r.caller)}*`,
    },
    {
      Sid: "ReadKnownResults",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [`${r.bucketArn}/${PREFIXES.outputs}*`, `${r.bucketArn}/${PREFIXES.failures}*`],
    },
    {
      Sid: "TellOwnMissingResults",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: r.bucketArn,
      Condition: { StringLike: { "s3:prefix": ownPrefixes.map((prefix) => `${prefix}*`) } },
    },
  ];
  return [...statements, ...kmsStatements(r.kmsKeyArn)];
}

/** Managed policy an app's role attaches to submit jobs and read their results. */
export class ClientPolicy extends pulumi.ComponentResource {
  public readonly policyArn: pulumi.Output<string>;

  constructor(name: string, args: ClientPolicyArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("whisper-async:iam:ClientPolicy", name, args, opts);
    const policy = new aws.iam.Policy(
      `${name}-policy`,
      {
        description:
          args.caller === undefined
            ? "Submit async transcription jobs and read their results."
            : `Submit async transcription jobs as caller ${args.caller} and read the results it is told about.`,
        policy: pulumi.all([args.endpointArn, args.bucketArn]).apply(([endpointArn, bucketArn]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement:
              args.caller === undefined
                ? clientStatements({ endpointArn, bucketArn, kmsKeyArn: args.kmsKeyArn })
                : callerStatements({ endpointArn, bucketArn, caller: args.caller, kmsKeyArn: args.kmsKeyArn }),
          }),
        ),
        tags: args.tags,
      },
      { parent: this },
    );
    this.policyArn = policy.arn;
    this.registerOutputs({ policyArn: this.policyArn });
  }
}
