import * as aws from "@pulumi/aws";
import {
  validateResourceOfType,
  type PolicyResource,
  type ResourceValidationPolicy,
  type StackValidationPolicy,
} from "@pulumi/policy";
import { isPlainObject, isUnknown, objectsIn, plain, type Plain, type PlainObject } from "./lib/known";
import {
  allReferences,
  anyReference,
  identitiesOf,
  refersTo,
  type Reference,
  type ResourceClass,
} from "./lib/references";

const SAGEMAKER_NAMESPACE = "AWS/SageMaker";
/**
 * The asynchronous-endpoint backlog metrics. SageMaker publishes them with the EndpointName dimension only;
 * an alarm that adds VariantName watches a metric that does not exist and stays in INSUFFICIENT_DATA forever.
 */
export const ASYNC_BACKLOG_METRICS: readonly string[] = [
  "ApproximateBacklogSize",
  "ApproximateBacklogSizePerInstance",
  "HasBacklogWithoutCapacity",
  "ApproximateAgeOfOldestRequest",
];
const WAKE_UP_METRIC = "HasBacklogWithoutCapacity";

/** The metrics an alarm watches: its own (namespace, metricName, dimensions), and its metric-math queries'. */
function metricsWatchedBy(alarm: PlainObject): PlainObject[] {
  const own = alarm.metricName === undefined ? [] : [alarm];
  const queried = objectsIn(alarm.metricQueries)
    .map((query) => query.metric)
    .filter(isPlainObject);
  return [...own, ...queried];
}

const isSageMakerMetric = (metric: PlainObject, names: readonly string[]) =>
  metric.namespace === SAGEMAKER_NAMESPACE &&
  typeof metric.metricName === "string" &&
  names.includes(metric.metricName);

/**
 * The per-request asynchronous-endpoint metrics, and the common endpoint metrics an async endpoint publishes too.
 * SageMaker publishes them per variant, with EndpointName AND VariantName: an alarm on EndpointName alone
 * watches a metric that never gets data, so it stays OK however many requests fail.
 */
export const ASYNC_VARIANT_METRICS: readonly string[] = [
  "Invocation4XXErrors",
  "Invocation5XXErrors",
  "ModelLatency",
  "RequestDownloadFailures",
  "ResponseUploadFailures",
  "NotificationFailures",
  "RequestDownloadLatency",
  "ResponseUploadLatency",
  "ExpiredRequests",
  "InvocationFailures",
  "InvocationsProcessed",
  "TimeInBacklog",
  "TotalProcessingTime",
];

/** A mandatory policy: alarms on `metrics` (also inside metric-math queries) use exactly `dimensions`. */
function exactDimensionsPolicy(
  name: string,
  metrics: readonly string[],
  dimensions: readonly string[],
): ResourceValidationPolicy {
  const expected = [...dimensions].sort();
  const spoken = expected.join(" and ");
  return {
    name,
    description: `Alarms on the async metrics ${metrics.join(", ")} use the dimensions ${spoken} exactly.`,
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.cloudwatch.MetricAlarm, (props, _args, reportViolation) => {
      for (const metric of metricsWatchedBy(plain(props))) {
        if (!isSageMakerMetric(metric, metrics) || isUnknown(metric.dimensions)) {
          continue;
        }
        const names = isPlainObject(metric.dimensions) ? Object.keys(metric.dimensions).sort() : [];
        if (names.join() !== expected.join()) {
          reportViolation(
            `Alarm on ${String(metric.metricName)} has dimensions [${names.join(", ")}]; SageMaker publishes it ` +
              `with ${spoken}${expected.length === 1 ? " only" : ""}, so any other set never receives data.`,
          );
        }
      }
    }),
  };
}

export const backlogAlarmsEndpointDimensionOnly = exactDimensionsPolicy(
  "backlog-alarms-endpoint-dimension-only",
  ASYNC_BACKLOG_METRICS,
  ["EndpointName"],
);

export const variantAlarmsEndpointAndVariant = exactDimensionsPolicy(
  "variant-alarms-endpoint-and-variant",
  ASYNC_VARIANT_METRICS,
  ["EndpointName", "VariantName"],
);

/** The step adjustments of a step scaling policy, with its adjustment type; undefined for other policy types. */
function stepScalingOf(policy: PlainObject): { adjustmentType: Plain; steps: PlainObject[] } | undefined {
  const policyType = policy.policyType ?? "StepScaling";
  if (policyType !== "StepScaling" || !isPlainObject(policy.stepScalingPolicyConfiguration)) {
    return undefined;
  }
  const configuration = policy.stepScalingPolicyConfiguration;
  return { adjustmentType: configuration.adjustmentType, steps: objectsIn(configuration.stepAdjustments) };
}

export const stepPolicyOneDirection: ResourceValidationPolicy = {
  name: "step-policy-one-direction",
  description:
    "A step scaling policy either scales out or scales in, never both: step bounds are relative to the alarm " +
    "threshold, so a mixed policy shared by two alarms can scale in on a scale-out breach.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.appautoscaling.Policy, (props, _args, reportViolation) => {
    const stepScaling = stepScalingOf(plain(props));
    if (!stepScaling || stepScaling.adjustmentType === "ExactCapacity") {
      return; // Exact capacities have no direction of their own.
    }
    const adjustments = stepScaling.steps.map((step) => step.scalingAdjustment).filter((n) => typeof n === "number");
    if (adjustments.some((n) => n > 0) && adjustments.some((n) => n < 0)) {
      reportViolation(
        `Step adjustments mix scale-out and scale-in (${adjustments.join(", ")}); use one policy per direction.`,
      );
    }
  }),
};

/** "yes" if a step policy can take the target from 0 to 1 or more instances. */
function scalesOutFromZero(policy: PolicyResource): Reference {
  const props = plain(policy.props);
  if (isUnknown(props.stepScalingPolicyConfiguration) || isUnknown(props.policyType)) {
    return "unknown";
  }
  const stepScaling = stepScalingOf(props);
  if (!stepScaling) {
    return "no";
  }
  const { adjustmentType, steps } = stepScaling;
  if (isUnknown(adjustmentType)) {
    return "unknown";
  }
  // A percentage of zero instances is zero: only absolute adjustments wake an endpoint up.
  if (adjustmentType !== "ChangeInCapacity" && adjustmentType !== "ExactCapacity") {
    return "no";
  }
  const adjustments = steps.map((step) => step.scalingAdjustment);
  if (adjustments.some((n) => typeof n === "number" && n > 0)) {
    return "yes";
  }
  return adjustments.some(isUnknown) ? "unknown" : "no";
}

function watchesWakeUpMetric(alarm: PolicyResource): boolean {
  return metricsWatchedBy(plain(alarm.props)).some((metric) => isSageMakerMetric(metric, [WAKE_UP_METRIC]));
}

export const scaleToZeroHasWakeUpPolicy: StackValidationPolicy = {
  name: "scale-to-zero-has-wake-up-policy",
  description:
    "A scalable target with minCapacity 0 has a step scaling policy that adds capacity, triggered by a " +
    `${WAKE_UP_METRIC} alarm; otherwise an endpoint at zero never wakes up (backlog-per-instance is undefined at 0).`,
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const isOfType = (cls: ResourceClass) => (resource: PolicyResource) => resource.isType(cls);
    const targets = args.resources.filter(isOfType(aws.appautoscaling.Target));
    const policies = args.resources.filter(isOfType(aws.appautoscaling.Policy));
    const wakeUpAlarms = args.resources.filter(isOfType(aws.cloudwatch.MetricAlarm)).filter(watchesWakeUpMetric);

    for (const target of targets) {
      if (plain(target.props).minCapacity !== 0) {
        continue;
      }
      const targetIdentities = identitiesOf(target, "resourceId");
      const verdicts = policies.flatMap((policy) => {
        const policyIdentities = identitiesOf(policy, "name");
        const attached = refersTo(policy, "resourceId", target, targetIdentities);
        const wakes = scalesOutFromZero(policy);
        const triggered = anyReference(
          wakeUpAlarms.map((alarm) => refersTo(alarm, "alarmActions", policy, policyIdentities)),
        );
        return [allReferences([attached, wakes, triggered])];
      });
      if (anyReference(verdicts) === "no") {
        reportViolation(
          `Scalable target "${target.name}" has minCapacity 0 but no step scaling policy with a positive ` +
            `adjustment triggered by a ${SAGEMAKER_NAMESPACE} ${WAKE_UP_METRIC} alarm.`,
          target.urn,
        );
      }
    }
  },
};

export const autoscalingPolicies = [
  backlogAlarmsEndpointDimensionOnly,
  variantAlarmsEndpointAndVariant,
  stepPolicyOneDirection,
  scaleToZeroHasWakeUpPolicy,
];
