import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PREFIXES } from "./storage";
import { kmsStatements, type Statement } from "./execution-role";

export interface ClientPolicyArgs {
  readonly endpointArn: pulumi.Input<string>;
  readonly bucketArn: pulumi.Input<string>;
  readonly kmsKeyArn?: string;
  readonly tags?: Record<string, string>;
}

/**
 * Statements a job submitter needs: invoke this endpoint, upload inputs, read outputs and failures.
 * `s3:ListBucket` makes S3 answer 404 rather than 403 for a result that is not written yet, which is how a
 * waiting client tells "not yet" from "not allowed"; it reveals key names in the bucket, not their contents.
 */
export function clientStatements(r: { endpointArn: string; bucketArn: string; kmsKeyArn?: string }): Statement[] {
  const statements: Statement[] = [
    { Sid: "InvokeAsync", Effect: "Allow", Action: ["sagemaker:InvokeEndpointAsync"], Resource: r.endpointArn },
    { Sid: "UploadInputs", Effect: "Allow", Action: ["s3:PutObject"], Resource: `${r.bucketArn}/${PREFIXES.inputs}*` },
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

/** Managed policy an app's role attaches to submit jobs and read their results. */
export class ClientPolicy extends pulumi.ComponentResource {
  public readonly policyArn: pulumi.Output<string>;

  constructor(name: string, args: ClientPolicyArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("whisper-async:iam:ClientPolicy", name, args, opts);
    const policy = new aws.iam.Policy(
      `${name}-policy`,
      {
        description: "Submit async transcription jobs and read their results.",
        policy: pulumi.all([args.endpointArn, args.bucketArn]).apply(([endpointArn, bucketArn]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: clientStatements({ endpointArn, bucketArn, kmsKeyArn: args.kmsKeyArn }),
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
