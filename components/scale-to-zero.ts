import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENDPOINT_INSTANCE_NAMESPACE, INSTANCE_COUNT_METRIC } from "./cost-metric-filters";

/** CloudWatch namespace of the SageMaker endpoint metrics. */
export const SAGEMAKER_NAMESPACE = "AWS/SageMaker";

/** Minutes a fleet must have surplus instances before one is removed (and the cooldown after each removal). */
export const SCALE_IN_MINUTES = 5;

export interface ScaleToZeroArgs {
  readonly endpointName: pulumi.Input<string>;
  readonly variantName: string;
  /** Fewest instances (0 allows scale to zero). */
  readonly minInstances: number;
  /** Most instances. */
  readonly maxInstances: number;
  /** Minutes of empty backlog before scaling in to minInstances. */
  readonly idleMinutes: number;
  /** Target ApproximateBacklogSizePerInstance: scale out above it. */
  readonly backlogTargetPerInstance: number;
  readonly tags?: Record<string, string>;
}

/**
 * Metric math of the step scale-in (each line a query id = expression) over two per-minute metrics: `backlog`
 * (ApproximateBacklogSize, queued AND running requests) and `instances` (the SampleCount of the instances'
 * CPUUtilization: each running instance publishes one sample a minute). It yields the instances the fleet can give
 * up, all but one, and only in a minute with nothing queued or running: AWS does not say which instance a lower
 * DesiredInstanceCount stops (the stopped one gets SIGKILL 30 s after SIGTERM), so while any request is queued or
 * running, any instance may be the one holding it, and none is removed. During an update both fleets publish under
 * the same names, so `instances` reads high; with an empty backlog that costs no job either. A minute without a
 * backlog datapoint counts as an empty backlog (SageMaker may stop reporting an idle endpoint). The last instance
 * is the idle path's to remove, after idleMinutes.
 */
export function surplusExpressions(): { id: string; expression: string; label: string }[] {
  return [
    { id: "pending", expression: "FILL(backlog, 0)", label: "requests queued or running" },
    {
      id: "surplus",
      expression: "IF(pending > 0, 0, instances - 1)",
      label: "instances that can go without cutting a job",
    },
  ];
}

/**
 * Metric math of the scale-in to minInstances, over the same two metrics as {@link surplusExpressions}: the instances
 * publishing in a minute with nothing queued or running, 0 in a minute with any request, and no value in a minute
 * without an instance sample. The alarm counts only minutes with a value of at least 1, so idleMinutes are minutes
 * in which an instance really ran idle: a new endpoint keeps its first instance for idleMinutes after it starts,
 * whatever CloudWatch reads for the minutes before the endpoint existed. A minute without a backlog datapoint
 * counts as an empty backlog (SageMaker may stop reporting an idle endpoint's backlog), as long as an instance ran.
 */
export function idleExpressions(): { id: string; expression: string; label: string }[] {
  return [
    { id: "pending", expression: "FILL(backlog, 0)", label: "requests queued or running" },
    { id: "idle", expression: "IF(pending > 0, 0, instances)", label: "instances running with nothing to do" },
  ];
}

/**
 * Four one-direction policies, each alarm driving only a policy of its own direction:
 * - from zero: ExactCapacity 1 on HasBacklogWithoutCapacity >= 1. Idempotent: the alarm stays in ALARM while the
 *   first instance starts and the policy re-runs after each cooldown, but "exactly 1" never adds a second one
 *   (target tracking cannot leave 0: with no instance the per-instance metric has no value);
 * - out, 1..N: target tracking on ApproximateBacklogSizePerInstance, scale-out only (its scale-in would follow
 *   the metric down to minInstances, 0, bypassing idleMinutes);
 * - in, N..1: step -1 after SCALE_IN_MINUTES in a row with nothing queued or running ({@link surplusExpressions}),
 *   so a fleet scaled out for a burst shrinks in the first quiet minutes; never while any request is queued or
 *   running, so a trickle with a request every few minutes holds the fleet until it pauses;
 * - back to minInstances: step ExactCapacity after idleMinutes in which instances ran with nothing queued or running
 *   ({@link idleExpressions}). The backlog counts in-flight requests too, so a running job is never cut, and a
 *   minute without an instance does not count, so a new endpoint's first instance is kept idleMinutes.
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

    /** A step policy of one direction: `step` applies whenever its alarm is in ALARM (Maximum over the minute). */
    const stepPolicy = (
      suffix: string,
      adjustmentType: "ExactCapacity" | "ChangeInCapacity",
      cooldown: number,
      step: aws.types.input.appautoscaling.PolicyStepScalingPolicyConfigurationStepAdjustment,
    ) =>
      new aws.appautoscaling.Policy(
        `${name}-${suffix}`,
        {
          ...scalable,
          policyType: "StepScaling",
          stepScalingPolicyConfiguration: {
            adjustmentType,
            metricAggregationType: "Maximum",
            cooldown,
            stepAdjustments: [step],
          },
        },
        child,
      );

    // Exactly one, not +1: re-running it while the first instance still starts changes nothing.
    const fromZero = stepPolicy("from-zero", "ExactCapacity", 300, {
      metricIntervalLowerBound: "0",
      scalingAdjustment: 1,
    });
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

    const stepIn = stepPolicy("step-in", "ChangeInCapacity", SCALE_IN_MINUTES * 60, {
      metricIntervalLowerBound: "0",
      scalingAdjustment: -1,
    });
    const minuteOf = (
      id: string,
      namespace: string,
      metricName: string,
      dims: Record<string, pulumi.Input<string>>,
      stat: string,
    ) => ({
      id,
      returnData: false,
      metric: { namespace, metricName, dimensions: dims, stat, period: 60 },
    });
    // The minute-by-minute backlog and instance samples the surplus and idle alarms both read.
    const backlogAndInstances = () => [
      minuteOf("backlog", SAGEMAKER_NAMESPACE, "ApproximateBacklogSize", dimensions, "Maximum"),
      minuteOf(
        "instances",
        ENDPOINT_INSTANCE_NAMESPACE,
        INSTANCE_COUNT_METRIC,
        { EndpointName: args.endpointName, VariantName: args.variantName },
        "SampleCount",
      ),
    ];
    new aws.cloudwatch.MetricAlarm(
      `${name}-surplus`,
      {
        alarmDescription: `For ${SCALE_IN_MINUTES} minutes nothing was queued or running on more than one instance: remove one.`,
        metricQueries: [
          ...backlogAndInstances(),
          ...surplusExpressions().map((e) => ({ ...e, returnData: e.id === "surplus" })),
        ],
        evaluationPeriods: SCALE_IN_MINUTES,
        datapointsToAlarm: SCALE_IN_MINUTES,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        // No instance sample means no instance: nothing to remove (the from-zero path decides then).
        treatMissingData: "notBreaching",
        alarmActions: [stepIn.arn],
        tags: args.tags,
      },
      child,
    );

    const toIdle = stepPolicy("to-idle", "ExactCapacity", 300, {
      metricIntervalLowerBound: "0",
      scalingAdjustment: args.minInstances,
    });
    new aws.cloudwatch.MetricAlarm(
      `${name}-idle`,
      {
        alarmDescription: `Instances ran with no request queued or running for ${args.idleMinutes} minutes: scale in to ${args.minInstances}.`,
        metricQueries: [
          ...backlogAndInstances(),
          ...idleExpressions().map((e) => ({ ...e, returnData: e.id === "idle" })),
        ],
        evaluationPeriods: args.idleMinutes,
        datapointsToAlarm: args.idleMinutes,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        // A minute without an instance sample is not an idle minute: before the first instance runs (a new endpoint,
        // and the minutes before it existed, which CloudWatch also evaluates) nothing counts towards idleMinutes.
        treatMissingData: "notBreaching",
        alarmActions: [toIdle.arn],
        tags: args.tags,
      },
      child,
    );

    this.registerOutputs({});
  }
}
