/**
 * The AWS API requests the program implies (CreateModel, PutMetricAlarm, ...) for every example stack, checked by
 * tools/aws_requests.py against botocore's service models: required members, types, enums, patterns, lengths and
 * ranges. Then planted mistakes show the check fails. What it cannot prove: the mapping from the provider's inputs
 * to each request is ours (see the checker), and rules AWS enforces beyond the models (an AMI offered for an
 * instance family, service quotas) are not in them.
 */
import { strict as assert } from "node:assert";
import { loadProgram, type Recorded } from "../program/mocks";
import { exampleStacks } from "../program/stacks";
import { awsRecords, runChecker } from "./python";

interface Report {
  requests: { resource: string; operation: string }[];
  violations: string[];
}

const EVERY_OPERATION = [
  "sagemaker:CreateModel",
  "sagemaker:CreateEndpointConfig",
  "sagemaker:CreateEndpoint",
  "application-autoscaling:RegisterScalableTarget",
  "application-autoscaling:PutScalingPolicy",
  "cloudwatch:PutMetricAlarm",
  "cloudwatch:PutDashboard",
  "sns:CreateTopic",
  "s3:PutBucketPolicy",
  "s3:PutBucketLifecycleConfiguration",
  "iam:CreateRole",
  "iam:PutRolePolicy",
  "iam:CreatePolicy",
  "ecr:CreateRepository",
  "logs:CreateLogGroup",
  "logs:PutRetentionPolicy",
  "logs:PutMetricFilter",
  // The drop folder (on in every example stack).
  "lambda:CreateFunction",
  "lambda:AddPermission",
  "sqs:CreateQueue",
  "sns:Subscribe",
  "s3:PutBucketNotificationConfiguration",
];

describe("AWS API requests against botocore's service models", function () {
  for (const stack of exampleStacks()) {
    it(`${stack.title}: every request is valid`, async function () {
      const { resources } = await loadProgram(stack.config);
      const report = runChecker<Report>("aws_requests.py", awsRecords(resources));
      assert.deepEqual([...new Set(report.requests.map((r) => r.operation))].sort(), [...EVERY_OPERATION].sort());
      assert.deepEqual(report.violations, []);
    });
  }

  describe("reports planted mistakes", function () {
    let records: Recorded[];
    before(async function () {
      records = awsRecords((await loadProgram(exampleStacks()[1].config)).resources);
    });
    const violations = (edit: (copy: Recorded[]) => void) => {
      const copy = structuredClone(records);
      edit(copy);
      return runChecker<Report>("aws_requests.py", copy).violations.join("\n");
    };
    const ofType = (copy: Recorded[], type: string) => copy.find((r) => r.type === type)!;
    const CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration";

    it("an instance type SageMaker does not have", function () {
      const found = violations((c) => (ofType(c, CONFIG).inputs.productionVariants[0].instanceType = "ml.g5.huge"));
      assert.match(found, /CreateEndpointConfig.*ProductionVariants\[0\]\.InstanceType: 'ml\.g5\.huge' is not one of/);
    });

    it("an inference AMI version SageMaker does not have", function () {
      const found = violations(
        (c) =>
          (ofType(c, CONFIG).inputs.productionVariants[0].inferenceAmiVersion = "al2-ami-sagemaker-inference-gpu-9"),
      );
      assert.match(found, /InferenceAmiVersion: 'al2-ami-sagemaker-inference-gpu-9' is not one of/);
    });

    it("an endpoint name over 63 characters, and one with an underscore", function () {
      const long = violations((c) => (ofType(c, "aws:sagemaker/endpoint:Endpoint").inputs.name = "e".repeat(64)));
      assert.match(long, /CreateEndpoint.*EndpointName: 64 characters, at most 63/);
      const bad = violations((c) => (ofType(c, "aws:sagemaker/endpoint:Endpoint").inputs.name = "whisper_prod"));
      assert.match(bad, /EndpointName: 'whisper_prod' does not match/);
    });

    it("a blue/green termination wait or deployment timeout out of SageMaker's range", function () {
      const found = violations((c) => {
        const policy = ofType(c, "aws:sagemaker/endpoint:Endpoint").inputs.deploymentConfig.blueGreenUpdatePolicy;
        policy.terminationWaitInSeconds = 4000;
        policy.maximumExecutionTimeoutInSeconds = 300;
        policy.trafficRoutingConfiguration.type = "SOMETIMES";
      });
      assert.match(found, /CreateEndpoint.*TerminationWaitInSeconds: 4000 is above/);
      assert.match(found, /MaximumExecutionTimeoutInSeconds/);
      assert.match(found, /TrafficRoutingConfiguration\.Type: 'SOMETIMES' is not one of/);
    });

    it("a missing required member, a wrong type, a number out of range and an unknown member", function () {
      const found = violations((c) => {
        delete ofType(c, "aws:appautoscaling/target:Target").inputs.scalableDimension;
        ofType(c, "aws:cloudwatch/metricAlarm:MetricAlarm").inputs.evaluationPeriods = "five";
        ofType(c, CONFIG).inputs.productionVariants[0].containerStartupHealthCheckTimeoutInSeconds = 7200;
        ofType(c, "aws:sagemaker/model:Model").inputs.primaryContainer.environmentVariables = {};
      });
      assert.match(found, /RegisterScalableTarget.*Missing required parameter.*ScalableDimension/);
      assert.match(found, /PutMetricAlarm.*EvaluationPeriods/);
      assert.match(found, /ContainerStartupHealthCheckTimeoutInSeconds: 7200 is above/);
      assert.match(found, /CreateModel.*Unknown parameter in PrimaryContainer: "EnvironmentVariables"/);
    });

    it("a log retention CloudWatch Logs does not offer", function () {
      const found = violations((c) => (ofType(c, "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays = 100));
      assert.match(found, /PutRetentionPolicy.*retentionInDays/);
    });

    it("a drop-folder function on a runtime Lambda does not have, too small, or with a misspelled S3 event", function () {
      const fn = (c: Recorded[]) => ofType(c, "aws:lambda/function:Function");
      assert.match(
        violations((c) => (fn(c).inputs.runtime = "nodejs99.x")),
        /CreateFunction\): CreateFunction\.Runtime: 'nodejs99\.x' is not one of/,
      );
      assert.match(
        violations((c) => (fn(c).inputs.memorySize = 64)),
        /CreateFunction.*MemorySize/,
      );
      assert.match(
        violations(
          (c) =>
            (ofType(c, "aws:s3/bucketNotification:BucketNotification").inputs.lambdaFunctions[0].events = [
              "s3:ObjectCreated",
            ]),
        ),
        /PutBucketNotificationConfiguration.*'s3:ObjectCreated' is not one of/,
      );
    });

    it("a metric math alarm that also names a single metric's period, or returns two series", function () {
      const mathAlarm = (c: Recorded[]) =>
        c.find((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.inputs.metricQueries)!;
      assert.match(
        violations((c) => (mathAlarm(c).inputs.period = 60)),
        /PutMetricAlarm\): Metrics excludes Period/,
      );
      assert.match(
        violations((c) => (mathAlarm(c).inputs.metricQueries[0].returnData = true)),
        /exactly one of Metrics must have ReturnData true/,
      );
    });
  });
});
