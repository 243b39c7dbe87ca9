import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** CloudWatch namespace of the async endpoint metrics; their only dimension is EndpointName. */
export const SAGEMAKER_NAMESPACE = "AWS/SageMaker";

export interface ScaleToZeroArgs {
  readonly endpointName: pulumi.Input<string>;
  readonly variantName: string;
  /** Fewest instances (0 allows scale to zero). */
  readonly minInstances: number;
  /** Most instances. */
  readonly maxInstances: number;
  /** Minutes of empty backlog before scaling in to minInstances. */
  readonly idleMinutes: number;
  /** Target ApproximateBacklogSizePerInstance for target tracking. */
  readonly backlogTargetPerInstance: number;
  readonly tags?: Record<string, string>;
}

/**
 * DESIGN decision 4, three one-direction policies, each alarm driving only a policy of its own direction:
 * - from zero: step +1 on HasBacklogWithoutCapacity >= 1 (target tracking cannot leave 0: with no instance the
 *   per-instance metric has no value);
 * - 1..N: target tracking on ApproximateBacklogSizePerInstance, scale-out only. Its scale-in is disabled because
 *   it would follow the same metric down to minInstances (0) while a job may still be running;
 * - back to minInstances: step ExactCapacity on ApproximateBacklogSize <= 0 for idleMinutes. The backlog counts
 *   in-flight requests too, so a running job keeps it above 0 and is never cut.
 */
export class ScaleToZero extends pulumi.ComponentResource {
  constructor(name: string, args: ScaleToZeroArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("whisper-async:autoscaling:ScaleToZero", name, args, opts);
    const child = { parent: this };
    const dimensions = { EndpointName: args.endpointName };

    const target = new aws.appautoscaling.Target(
      `${name}-target`,
      {
        serviceNamespace: "sagemaker",
        scalableDimension: "sagemaker:variant:DesiredInstanceCount",
        resourceId: pulumi.interpolate`endpoint/${args.endpointName}/variant/${args.variantName}`,
        minCapacity: args.minInstances,
        maxCapacity: args.maxInstances,
        tags: args.tags,
      },
      child,
    );
    const scalable = {
      serviceNamespace: target.serviceNamespace,
      scalableDimension: target.scalableDimension,
      resourceId: target.resourceId,
    };

    const fromZero = new aws.appautoscaling.Policy(
      `${name}-from-zero`,
      {
        ...scalable,
        policyType: "StepScaling",
        stepScalingPolicyConfiguration: {
          adjustmentType: "ChangeInCapacity",
          metricAggregationType: "Maximum",
          // Long enough for launch + image pull + model load, so a still-pending first instance is not doubled.
          cooldown: 600,
          stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }],
        },
      },
      child,
    );
    new aws.cloudwatch.MetricAlarm(
      `${name}-backlog-without-capacity`,
      {
        alarmDescription: "Requests are queued but the endpoint has no instance: add one.",
        namespace: SAGEMAKER_NAMESPACE,
        metricName: "HasBacklogWithoutCapacity",
        dimensions,
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [fromZero.arn],
        tags: args.tags,
      },
      child,
    );

    new aws.appautoscaling.Policy(
      `${name}-backlog-tracking`,
      {
        ...scalable,
        policyType: "TargetTrackingScaling",
        targetTrackingScalingPolicyConfiguration: {
          targetValue: args.backlogTargetPerInstance,
          disableScaleIn: true,
          scaleOutCooldown: 300,
          customizedMetricSpecification: {
            namespace: SAGEMAKER_NAMESPACE,
            metricName: "ApproximateBacklogSizePerInstance",
            dimensions: [{ name: "EndpointName", value: args.endpointName }],
            statistic: "Average",
          },
        },
      },
      child,
    );

    const toIdle = new aws.appautoscaling.Policy(
      `${name}-to-idle`,
      {
        ...scalable,
        policyType: "StepScaling",
        stepScalingPolicyConfiguration: {
          adjustmentType: "ExactCapacity",
          metricAggregationType: "Maximum",
          cooldown: 300,
          stepAdjustments: [{ metricIntervalUpperBound: "0", scalingAdjustment: args.minInstances }],
        },
      },
      child,
    );
    new aws.cloudwatch.MetricAlarm(
      `${name}-idle`,
      {
        alarmDescription: `No request queued or running for ${args.idleMinutes} minutes: scale in to ${args.minInstances}.`,
        namespace: SAGEMAKER_NAMESPACE,
        metricName: "ApproximateBacklogSize",
        dimensions,
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: args.idleMinutes,
        datapointsToAlarm: args.idleMinutes,
        threshold: 0,
        comparisonOperator: "LessThanOrEqualToThreshold",
        // An endpoint with nothing queued may stop reporting the backlog; missing minutes count as idle.
        treatMissingData: "breaching",
        alarmActions: [toIdle.arn],
        tags: args.tags,
      },
      child,
    );

    this.registerOutputs({});
  }
}
