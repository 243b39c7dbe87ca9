import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import {
  ASYNC_BACKLOG_METRICS,
  ASYNC_VARIANT_METRICS,
  backlogAlarmsEndpointDimensionOnly,
  scaleToZeroHasWakeUpPolicy,
  stepPolicyOneDirection,
  variantAlarmsEndpointAndVariant,
} from "../autoscaling";
import { checkResource, checkStack, UNKNOWN_DURING_PREVIEW } from "./harness";
import { deployedStack, editStack, previewStack, scalingPolicyArn } from "./stack-fixture";

const alarm = (metricName: string, dimensions: unknown, namespace = "AWS/SageMaker") => ({
  namespace,
  metricName,
  dimensions,
  statistic: "Maximum",
  threshold: 1,
  comparisonOperator: "GreaterThanOrEqualToThreshold",
});
const checkAlarm = (props: Record<string, unknown>) =>
  checkResource(backlogAlarmsEndpointDimensionOnly, aws.cloudwatch.MetricAlarm, props);

describe("policy variant-alarms-endpoint-and-variant", () => {
  const check = (props: Record<string, unknown>) =>
    checkResource(variantAlarmsEndpointAndVariant, aws.cloudwatch.MetricAlarm, props);
  const both = { EndpointName: "whisper", VariantName: "whisper" };

  it("passes every per-variant metric on EndpointName and VariantName", async () => {
    for (const metricName of ASYNC_VARIANT_METRICS) {
      assert.deepEqual(await check(alarm(metricName, both)), [], metricName);
    }
  });

  it("rejects InvocationFailures on EndpointName alone, also inside a metric-math query", async () => {
    const alone = await check(alarm("InvocationFailures", { EndpointName: "whisper" }));
    assert.equal(alone.length, 1);
    assert.match(
      alone[0],
      /has dimensions \[EndpointName\]; SageMaker publishes it with EndpointName and VariantName,/,
    );
    const inMath = await check({
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      metricQueries: [
        { id: "f", expression: "FILL(m, 0)", returnData: true },
        {
          id: "m",
          metric: { namespace: "AWS/SageMaker", metricName: "Invocation5XXErrors", dimensions: { EndpointName: "w" } },
        },
      ],
    });
    assert.equal(inMath.length, 1);
  });

  it("leaves the backlog metrics and unknown dimensions to preview alone", async () => {
    assert.deepEqual(await check(alarm("ApproximateBacklogSize", { EndpointName: "whisper" })), []);
    assert.deepEqual(await check(alarm("InvocationFailures", UNKNOWN_DURING_PREVIEW)), []);
  });
});

describe("policy backlog-alarms-endpoint-dimension-only", () => {
  it("passes every backlog metric on EndpointName alone", async () => {
    for (const metricName of ASYNC_BACKLOG_METRICS) {
      assert.deepEqual(await checkAlarm(alarm(metricName, { EndpointName: "whisper" })), [], metricName);
    }
  });

  it("rejects a backlog alarm with VariantName or without dimensions", async () => {
    const withVariant = await checkAlarm(
      alarm("ApproximateBacklogSizePerInstance", { EndpointName: "whisper", VariantName: "AllTraffic" }),
    );
    assert.equal(withVariant.length, 1);
    assert.match(withVariant[0], /dimensions \[EndpointName, VariantName\]/);
    assert.equal((await checkAlarm(alarm("HasBacklogWithoutCapacity", undefined))).length, 1);
  });

  it("checks the metrics of metric-math queries too", async () => {
    const props = {
      threshold: 0,
      comparisonOperator: "LessThanOrEqualToThreshold",
      metricQueries: [
        { id: "e", expression: "backlog + 0", returnData: true },
        {
          id: "backlog",
          metric: {
            namespace: "AWS/SageMaker",
            metricName: "ApproximateBacklogSize",
            dimensions: { EndpointName: "whisper", VariantName: "AllTraffic" },
            stat: "Maximum",
            period: 60,
          },
        },
      ],
    };
    assert.equal((await checkAlarm(props)).length, 1);
  });

  it("leaves other metrics alone (per-variant metrics do take VariantName)", async () => {
    const invocations = alarm("InvocationsProcessed", { EndpointName: "whisper", VariantName: "AllTraffic" });
    assert.deepEqual(await checkAlarm(invocations), []);
    const otherNamespace = alarm("ApproximateBacklogSize", { QueueName: "q" }, "AWS/SQS");
    assert.deepEqual(await checkAlarm(otherNamespace), []);
  });

  it("judges dimension names even when the endpoint name is unknown during preview", async () => {
    assert.deepEqual(
      await checkAlarm(alarm("HasBacklogWithoutCapacity", { EndpointName: UNKNOWN_DURING_PREVIEW })),
      [],
    );
    const wrong = alarm("HasBacklogWithoutCapacity", {
      EndpointName: UNKNOWN_DURING_PREVIEW,
      VariantName: "AllTraffic",
    });
    assert.equal((await checkAlarm(wrong)).length, 1);
    assert.deepEqual(await checkAlarm(alarm("HasBacklogWithoutCapacity", UNKNOWN_DURING_PREVIEW)), []);
  });
});

describe("policy step-policy-one-direction", () => {
  const stepPolicy = (adjustmentType: string, adjustments: unknown[]) => ({
    resourceId: "endpoint/whisper/variant/AllTraffic",
    policyType: "StepScaling",
    stepScalingPolicyConfiguration: {
      adjustmentType,
      stepAdjustments: adjustments.map((scalingAdjustment, index) => ({
        metricIntervalLowerBound: String(index),
        scalingAdjustment,
      })),
    },
  });
  const check = (props: Record<string, unknown>) =>
    checkResource(stepPolicyOneDirection, aws.appautoscaling.Policy, props);

  it("passes policies that only scale out or only scale in", async () => {
    assert.deepEqual(await check(stepPolicy("ChangeInCapacity", [1, 2])), []);
    assert.deepEqual(await check(stepPolicy("ChangeInCapacity", [-1])), []);
    assert.deepEqual(await check(stepPolicy("PercentChangeInCapacity", [0, 50])), []);
  });

  it("rejects the seed's policy: one step down and one step up", async () => {
    const violations = await check(stepPolicy("ChangeInCapacity", [-1, 1]));
    assert.deepEqual(violations, [
      "Step adjustments mix scale-out and scale-in (-1, 1); use one policy per direction.",
    ]);
  });

  it("ignores exact capacities, target tracking, and unknown adjustments", async () => {
    assert.deepEqual(await check(stepPolicy("ExactCapacity", [0, 2])), []);
    const targetTracking = {
      policyType: "TargetTrackingScaling",
      targetTrackingScalingPolicyConfiguration: { targetValue: 4 },
    };
    assert.deepEqual(await check(targetTracking), []);
    assert.deepEqual(await check(stepPolicy("ChangeInCapacity", [-1, UNKNOWN_DURING_PREVIEW])), []);
  });
});

describe("policy scale-to-zero-has-wake-up-policy", () => {
  it("passes our stack, deployed and in preview", async () => {
    assert.deepEqual(await checkStack(scaleToZeroHasWakeUpPolicy, deployedStack()), []);
    assert.deepEqual(await checkStack(scaleToZeroHasWakeUpPolicy, previewStack()), []);
  });

  it("reports a target at zero without the wake-up alarm", async () => {
    const stack = editStack(deployedStack(), "has-backlog-without-capacity", null);
    const violations = await checkStack(scaleToZeroHasWakeUpPolicy, stack);
    assert.deepEqual(
      violations.map((v) => v.resource),
      ["scaling-target"],
    );
    assert.match(violations[0].message, /minCapacity 0/);
  });

  it("reports a wake-up alarm that triggers a policy which cannot scale out from zero", async () => {
    const percent = editStack(deployedStack(), "scale-out-from-zero", (props) => ({
      ...props,
      stepScalingPolicyConfiguration: {
        adjustmentType: "PercentChangeInCapacity",
        stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 100 }],
      },
    }));
    assert.equal((await checkStack(scaleToZeroHasWakeUpPolicy, percent)).length, 1);
    const pointsAtScaleIn = editStack(deployedStack(), "has-backlog-without-capacity", (props) => ({
      ...props,
      alarmActions: [scalingPolicyArn("scale-in-to-zero")],
    }));
    assert.equal((await checkStack(scaleToZeroHasWakeUpPolicy, pointsAtScaleIn)).length, 1);
  });

  it("reports a wake-up policy triggered by another metric", async () => {
    const stack = editStack(deployedStack(), "has-backlog-without-capacity", (props) => ({
      ...props,
      metricName: "ApproximateBacklogSizePerInstance",
    }));
    assert.equal((await checkStack(scaleToZeroHasWakeUpPolicy, stack)).length, 1);
  });

  it("reports a wake-up policy attached to another target", async () => {
    const stack = editStack(deployedStack(), "scale-out-from-zero", (props) => ({
      ...props,
      resourceId: "endpoint/other/variant/AllTraffic",
    }));
    assert.equal((await checkStack(scaleToZeroHasWakeUpPolicy, stack)).length, 1);
  });

  it("leaves targets with minCapacity of 1 or more alone", async () => {
    const alwaysOn = editStack(
      editStack(deployedStack(), "has-backlog-without-capacity", null),
      "scaling-target",
      (props) => ({ ...props, minCapacity: 1 }),
    );
    assert.deepEqual(await checkStack(scaleToZeroHasWakeUpPolicy, alwaysOn), []);
  });
});
