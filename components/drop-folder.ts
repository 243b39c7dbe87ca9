import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SUBMIT_TIMEOUT_SECONDS } from "../functions/drop-folder/claims";
import { INFERENCE_ID_PREFIX, type Format } from "../functions/drop-folder/layout";
import { environmentOf } from "../functions/drop-folder/settings";
import {
  deliverStatements,
  LAMBDA_TRUST_POLICY,
  submitStatements,
  type DropFolderResources,
} from "./drop-folder-policies";
import { FUNCTION_HANDLER, FUNCTION_RUNTIME, handlerArchive } from "./function-code";
import { CREATE_BEFORE_DELETE } from "./replacement";
import { PREFIXES } from "./storage";

/** Seconds SQS keeps a dead letter: its maximum, 14 days, to look into what failed. */
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

/** Longest Lambda function name AWS accepts. */
const MAX_FUNCTION_NAME = 64;

/**
 * `<endpointName>-drop-<role>`, the name operators find the function (and its log group) by. An endpoint name too
 * long for that is cut and given 8 hex characters of its hash, so two long names still differ.
 */
export function functionNameFor(endpointName: string, role: "submit" | "deliver"): string {
  const suffix = `-drop-${role}`;
  if (endpointName.length + suffix.length <= MAX_FUNCTION_NAME) return `${endpointName}${suffix}`;
  const hash = createHash("sha256").update(endpointName).digest("hex").slice(0, 8);
  const kept = endpointName.slice(0, MAX_FUNCTION_NAME - suffix.length - hash.length - 1).replace(/-+$/, "");
  return `${kept}-${hash}${suffix}`;
}

export interface DropFolderArgs {
  /** The stack's bucket (name and ARN); recordings, claims and results all live in it. */
  readonly bucketName: pulumi.Input<string>;
  readonly bucketArn: pulumi.Input<string>;
  /** The asynchronous endpoint recordings are submitted to. */
  readonly endpointName: string;
  readonly endpointArn: pulumi.Input<string>;
  /** SageMaker's success and error topics, which the deliver function subscribes to. */
  readonly successTopicArn: pulumi.Input<string>;
  readonly errorTopicArn: pulumi.Input<string>;
  /** Topic the dead-letter alarm notifies. */
  readonly alarmTopicArn: pulumi.Input<string>;
  /** Result files written per recording. Required (the config default is json, srt, vtt, txt). */
  readonly formats: readonly Format[];
  /** Options for every recording, `key=value;key=value`; a recording's metadata overrides them key by key. */
  readonly defaultOptions: string;
  /** Customer KMS key of the bucket and topics (the functions then use it, and the queue is encrypted with it). */
  readonly kmsKeyArn?: string;
  /** Days CloudWatch Logs keeps the functions' log lines. */
  readonly logRetentionDays: number;
  readonly tags?: Record<string, string>;
}

/**
 * The drop folder: a recording created under `drop/` is submitted to the endpoint by the submit function (S3 event
 * notification), and SageMaker's notification of its result makes the deliver function write every configured
 * rendering under `results/` at the recording's relative path (functions/drop-folder/). What either function cannot
 * handle after Lambda's retries lands in a dead-letter queue, which alarms.
 */
export class DropFolder extends pulumi.ComponentResource {
  public readonly dropPrefix: string = PREFIXES.drop;
  public readonly resultsPrefix: string = PREFIXES.results;
  public readonly submitFunctionName: pulumi.Output<string>;
  public readonly deliverFunctionName: pulumi.Output<string>;
  public readonly deadLetterQueueName: pulumi.Output<string>;

  constructor(name: string, args: DropFolderArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("whisper-async:dropfolder:DropFolder", name, args, opts);
    const child = { parent: this };
    const tags = args.tags;
    const identity = aws.getCallerIdentityOutput({}, child);

    const deadLetters = new aws.sqs.Queue(
      `${name}-dead-letters`,
      {
        messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
        ...(args.kmsKeyArn ? { kmsMasterKeyId: args.kmsKeyArn } : { sqsManagedSseEnabled: true }),
        tags,
      },
      child,
    );
    const environment = environmentOf({
      bucket: args.bucketName,
      endpointName: args.endpointName,
      dropPrefix: PREFIXES.drop,
      resultsPrefix: PREFIXES.results,
      claimsPrefix: PREFIXES.dropClaims,
      stagingPrefix: PREFIXES.dropInputs,
      formats: args.formats,
      defaultOptions: args.defaultOptions,
    });

    const makeFunction = (
      role: "submit" | "deliver",
      statements: (r: DropFolderResources) => object[],
      sizing: { memorySize: number; timeout: number },
    ) => {
      const functionName = functionNameFor(args.endpointName, role);
      const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-${role}-logs`,
        { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays, tags },
        { ...child, ...CREATE_BEFORE_DELETE },
      );
      const iamRole = new aws.iam.Role(
        `${name}-${role}-role`,
        { assumeRolePolicy: JSON.stringify(LAMBDA_TRUST_POLICY), tags },
        child,
      );
      const policy = new aws.iam.RolePolicy(
        `${name}-${role}-policy`,
        {
          role: iamRole.id,
          policy: pulumi
            .all([args.bucketArn, args.endpointArn, deadLetters.arn, logGroup.arn])
            .apply(([bucketArn, endpointArn, deadLetterQueueArn, logGroupArn]) =>
              JSON.stringify({
                Version: "2012-10-17",
                Statement: statements({
                  bucketArn,
                  endpointArn,
                  deadLetterQueueArn,
                  logGroupArn,
                  kmsKeyArn: args.kmsKeyArn,
                }),
              }),
            ),
        },
        child,
      );
      // The function waits for its policy: an event handled before it exists would fail and be retried for nothing.
      return new aws.lambda.Function(
        `${name}-${role}`,
        {
          name: functionName,
          description: `Whisper drop folder (${role}) of ${args.endpointName}`,
          runtime: FUNCTION_RUNTIME,
          architectures: ["arm64"],
          handler: FUNCTION_HANDLER,
          code: handlerArchive(`functions/drop-folder/${role}.ts`),
          role: iamRole.arn,
          memorySize: sizing.memorySize,
          timeout: sizing.timeout,
          environment: { variables: environment },
          deadLetterConfig: { targetArn: deadLetters.arn },
          loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
          tags,
        },
        { parent: this, dependsOn: [policy, logGroup], ...CREATE_BEFORE_DELETE },
      );
    };

    const submit = makeFunction("submit", submitStatements, { memorySize: 256, timeout: SUBMIT_TIMEOUT_SECONDS });
    // Reads a whole response (a long recording's renderings are megabytes) and writes each file.
    const deliver = makeFunction("deliver", deliverStatements, { memorySize: 512, timeout: 300 });

    const s3Permission = new aws.lambda.Permission(
      `${name}-s3-invokes-submit`,
      {
        action: "lambda:InvokeFunction",
        function: submit.name,
        principal: "s3.amazonaws.com",
        sourceArn: args.bucketArn,
        sourceAccount: identity.accountId,
      },
      child,
    );
    new aws.s3.BucketNotification(
      `${name}-notification`,
      {
        bucket: args.bucketName,
        lambdaFunctions: [
          { lambdaFunctionArn: submit.arn, events: ["s3:ObjectCreated:*"], filterPrefix: PREFIXES.drop },
        ],
      },
      { parent: this, dependsOn: [s3Permission] },
    );
    const topics = { success: args.successTopicArn, error: args.errorTopicArn };
    for (const [topic, topicArn] of Object.entries(topics)) {
      const permission = new aws.lambda.Permission(
        `${name}-${topic}-invokes-deliver`,
        {
          action: "lambda:InvokeFunction",
          function: deliver.name,
          principal: "sns.amazonaws.com",
          sourceArn: topicArn,
        },
        child,
      );
      new aws.sns.TopicSubscription(
        `${name}-${topic}-to-deliver`,
        {
          topic: topicArn,
          protocol: "lambda",
          endpoint: deliver.arn,
          // Only the drop folder's own inferences: other clients' jobs never invoke the function.
          filterPolicyScope: "MessageBody",
          filterPolicy: JSON.stringify({ inferenceId: [{ prefix: INFERENCE_ID_PREFIX }] }),
        },
        { parent: this, dependsOn: [permission] },
      );
    }
    new aws.cloudwatch.MetricAlarm(
      `${name}-dead-letters-alarm`,
      {
        alarmDescription:
          "The drop folder could not handle an event after Lambda's retries: it is in the dead-letter queue (see " +
          "docs/drop-folder.md, 'When something fails').",
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: deadLetters.name },
        statistic: "Maximum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [args.alarmTopicArn],
        okActions: [args.alarmTopicArn],
        tags,
      },
      child,
    );

    this.submitFunctionName = submit.name;
    this.deliverFunctionName = deliver.name;
    this.deadLetterQueueName = deadLetters.name;
    this.registerOutputs({
      submitFunctionName: this.submitFunctionName,
      deliverFunctionName: this.deliverFunctionName,
      deadLetterQueueName: this.deadLetterQueueName,
    });
  }
}
