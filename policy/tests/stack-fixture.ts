// The resources of our stack as the analyzer sees them, in the two states a stack policy meets:
// after `pulumi up` (every output known) and during the first `pulumi preview` (names and ARNs unknown,
// links visible only as property dependencies). Tests derive violating stacks from these by editing copies.
import * as aws from "@pulumi/aws";
import type { StackEntry } from "./harness";
import { UNKNOWN_DURING_PREVIEW } from "./harness";

const BUCKET = "whisper-dev-data-0a1b2c3";
const ENDPOINT = "whisper-dev-endpoint-9f8e7d6";
const RESOURCE_ID = `endpoint/${ENDPOINT}/variant/AllTraffic`;
/** The ARN AWS gives a scaling policy of our endpoint variant. */
export const scalingPolicyArn = (name: string) =>
  `arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1b2c3d4e:resource/sagemaker/${RESOURCE_ID}:policyName/${name}`;

/** The TLS-only statement our bucket policy carries. */
export function tlsOnlyStatement(bucketArn: string) {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

export function deployedStack(): StackEntry[] {
  const bucketArn = `arn:aws:s3:::${BUCKET}`;
  return [
    { cls: aws.s3.Bucket, name: "data", props: { id: BUCKET, bucket: BUCKET, arn: bucketArn } },
    {
      cls: aws.s3.BucketPublicAccessBlock,
      name: "data-public-access",
      props: {
        bucket: BUCKET,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    },
    {
      cls: aws.s3.BucketServerSideEncryptionConfiguration,
      name: "data-encryption",
      props: { bucket: BUCKET, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    },
    {
      cls: aws.s3.BucketPolicy,
      name: "data-tls-only",
      props: {
        bucket: BUCKET,
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [tlsOnlyStatement(bucketArn)] }),
      },
    },
    {
      cls: aws.appautoscaling.Target,
      name: "scaling-target",
      props: {
        id: RESOURCE_ID,
        resourceId: RESOURCE_ID,
        scalableDimension: "sagemaker:variant:DesiredInstanceCount",
        serviceNamespace: "sagemaker",
        minCapacity: 0,
        maxCapacity: 2,
      },
    },
    {
      cls: aws.appautoscaling.Policy,
      name: "scale-out-from-zero",
      props: {
        name: "scale-out-from-zero",
        arn: scalingPolicyArn("scale-out-from-zero"),
        resourceId: RESOURCE_ID,
        policyType: "StepScaling",
        stepScalingPolicyConfiguration: {
          adjustmentType: "ChangeInCapacity",
          cooldown: 300,
          metricAggregationType: "Maximum",
          stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }],
        },
      },
    },
    {
      cls: aws.appautoscaling.Policy,
      name: "scale-in-to-zero",
      props: {
        name: "scale-in-to-zero",
        arn: scalingPolicyArn("scale-in-to-zero"),
        resourceId: RESOURCE_ID,
        policyType: "StepScaling",
        stepScalingPolicyConfiguration: {
          adjustmentType: "ExactCapacity",
          stepAdjustments: [{ metricIntervalUpperBound: "0", scalingAdjustment: 0 }],
        },
      },
    },
    {
      cls: aws.cloudwatch.MetricAlarm,
      name: "has-backlog-without-capacity",
      props: {
        namespace: "AWS/SageMaker",
        metricName: "HasBacklogWithoutCapacity",
        dimensions: { EndpointName: ENDPOINT },
        statistic: "Maximum",
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        alarmActions: [scalingPolicyArn("scale-out-from-zero")],
      },
    },
    {
      cls: aws.cloudwatch.MetricAlarm,
      name: "idle",
      props: {
        threshold: 0,
        comparisonOperator: "LessThanOrEqualToThreshold",
        metricQueries: [
          {
            id: "backlog",
            returnData: true,
            metric: {
              namespace: "AWS/SageMaker",
              metricName: "ApproximateBacklogSize",
              dimensions: { EndpointName: ENDPOINT },
              stat: "Maximum",
              period: 60,
            },
          },
        ],
        alarmActions: [scalingPolicyArn("scale-in-to-zero")],
      },
    },
  ];
}

/** Replaces the values a first preview cannot know with the engine's unknown marker, keeping the links. */
export function previewStack(): StackEntry[] {
  const unknowns: Record<string, { props: Record<string, unknown>; dependsOn: Record<string, string[]> }> = {
    data: {
      props: { id: UNKNOWN_DURING_PREVIEW, bucket: UNKNOWN_DURING_PREVIEW, arn: UNKNOWN_DURING_PREVIEW },
      dependsOn: {},
    },
    "data-public-access": { props: { bucket: UNKNOWN_DURING_PREVIEW }, dependsOn: { bucket: ["data"] } },
    "data-encryption": { props: { bucket: UNKNOWN_DURING_PREVIEW }, dependsOn: { bucket: ["data"] } },
    "data-tls-only": {
      props: { bucket: UNKNOWN_DURING_PREVIEW, policy: UNKNOWN_DURING_PREVIEW },
      dependsOn: { bucket: ["data"], policy: ["data"] },
    },
    "scaling-target": { props: { id: UNKNOWN_DURING_PREVIEW, resourceId: UNKNOWN_DURING_PREVIEW }, dependsOn: {} },
    "scale-out-from-zero": {
      props: { arn: UNKNOWN_DURING_PREVIEW, resourceId: UNKNOWN_DURING_PREVIEW },
      dependsOn: { resourceId: ["scaling-target"] },
    },
    "scale-in-to-zero": {
      props: { arn: UNKNOWN_DURING_PREVIEW, resourceId: UNKNOWN_DURING_PREVIEW },
      dependsOn: { resourceId: ["scaling-target"] },
    },
    "has-backlog-without-capacity": {
      props: { dimensions: { EndpointName: UNKNOWN_DURING_PREVIEW }, alarmActions: [UNKNOWN_DURING_PREVIEW] },
      dependsOn: { alarmActions: ["scale-out-from-zero"] },
    },
    idle: { props: { alarmActions: [UNKNOWN_DURING_PREVIEW] }, dependsOn: { alarmActions: ["scale-in-to-zero"] } },
  };
  return deployedStack().map((entry) => {
    const preview = unknowns[entry.name];
    return preview ? { ...entry, props: { ...entry.props, ...preview.props }, dependsOn: preview.dependsOn } : entry;
  });
}

/** A copy of `stack` with the named resource's props changed by `edit` (or the resource removed if edit is null). */
export function editStack(
  stack: StackEntry[],
  name: string,
  edit: ((props: Record<string, unknown>) => Record<string, unknown>) | null,
): StackEntry[] {
  if (!stack.some((entry) => entry.name === name)) {
    throw new Error(`no resource named ${name} in the fixture`);
  }
  return stack.flatMap((entry) => {
    if (entry.name !== name) {
      return [entry];
    }
    return edit === null ? [] : [{ ...entry, props: edit(structuredClone(entry.props)) }];
  });
}
