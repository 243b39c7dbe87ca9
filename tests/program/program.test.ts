/**
 * Loads the real program (index.ts) under Pulumi mocks with a stack config and asserts the exact inputs of the
 * resources it registers. See mocks.ts for what these tests cannot prove.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  DIGEST,
  MODEL_URI_OF,
  ACCOUNT,
  REGION,
  loadProgram,
  markProgramStart,
  one,
  ofType,
  programResources,
  resolve,
  settled,
  type Recorded,
} from "./mocks";

const KMS = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const ENDPOINT = "whisper-dev-g5-2xlarge";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function ecrUrl(): string {
  return `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${one("aws:ecr/repository:Repository").name}`;
}

function alarm(metricName: string): Recorded {
  const found = ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.metricName === metricName);
  assert.equal(found.length, 1, `one alarm on ${metricName}`);
  return found[0];
}

/** The alarm on the service's failures (a metric math sum of per-variant failure counts). */
function failuresAlarm(): Recorded {
  const found = ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.endsWith("-failures"));
  assert.equal(found.length, 1, "one failures alarm");
  return found[0];
}

function policyOf(alarmRecord: Recorded): Recorded {
  const [action] = alarmRecord.inputs.alarmActions as string[];
  const policy = ofType("aws:appautoscaling/policy:Policy").find((p) => action.endsWith(`scalingPolicy:${p.name}`));
  assert.ok(policy, `alarm ${alarmRecord.name} drives a scaling policy`);
  return policy;
}

describe("Pulumi program under mocks", function () {
  let exports: Record<string, unknown>;

  before(async function () {
    pulumi.runtime.setAllConfig({
      "aws:region": REGION,
      "whisper-async:instanceType": "ml.g5.2xlarge",
      "whisper-async:instancePricePerHour": "1.5",
      "whisper-async:maxInstances": "3",
      "whisper-async:idleMinutes": "12",
      "whisper-async:backlogTargetPerInstance": "5",
      "whisper-async:maxConcurrentInvocationsPerInstance": "10",
      "whisper-async:retentionDays": "9",
      "whisper-async:kmsKeyArn": KMS,
      "whisper-async:kmsKeyAllowsCloudWatch": "true",
      "whisper-async:resultInNotifications": "true",
      "whisper-async:tags": JSON.stringify({ team: "speech" }),
    });
    markProgramStart();
    // require, not import(): the mocks and config must be in place first, and mocha loads specs as CommonJS.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program: Record<string, pulumi.Output<unknown> | string> = require("../../index");
    exports = {};
    for (const [key, value] of Object.entries(program)) exports[key] = await resolve(value);
    await settled();
  });

  it("exports exactly the shared stack outputs", function () {
    const bucket = String(exports.bucketName);
    assert.deepEqual(Object.keys(exports).sort(), [
      "bucketName",
      "callerPolicyArns",
      "clientPolicyArn",
      "dashboardUrl",
      "dropPrefix",
      "endpointName",
      "endpointQuotaName",
      "errorTopicArn",
      "failurePrefix",
      "imageUri",
      "inputPrefix",
      "instancePricePerHour",
      "instancesNeededDuringUpdate",
      "modelDataUrl",
      "outputPrefix",
      "resultsPrefix",
      "successTopicArn",
      "variantName",
    ]);
    assert.equal(exports.endpointName, ENDPOINT);
    assert.deepEqual(exports.callerPolicyArns, {}, "no callers configured: only the shared client policy");
    assert.equal(exports.variantName, "whisper");
    assert.equal(exports.instancePricePerHour, 1.5);
    assert.equal(exports.inputPrefix, "async/inputs/");
    assert.equal(exports.outputPrefix, "async/outputs/");
    assert.equal(exports.failurePrefix, "async/failures/");
    assert.equal(exports.dropPrefix, "drop/");
    assert.equal(exports.resultsPrefix, "results/");
    assert.equal(exports.modelDataUrl, MODEL_URI_OF(bucket));
    assert.match(String(exports.imageUri), new RegExp(`@${DIGEST}$`));
    assert.match(
      String(exports.dashboardUrl),
      new RegExp(
        `^https://${REGION}\\.console\\.aws\\.amazon\\.com/cloudwatch/home\\?region=${REGION}#dashboards:name=${ENDPOINT}$`,
      ),
    );
    assert.match(String(exports.clientPolicyArn), /^arn:aws:iam::\d{12}:policy\//);
    assert.match(String(exports.successTopicArn), /:sns:.*success$/);
    assert.match(String(exports.errorTopicArn), /:sns:.*error$/);
  });

  it("builds the image for linux/amd64 from the project root, by relative paths, and pushes it with the ECR token", function () {
    const image = one("docker-build:index:Image");
    assert.deepEqual(image.inputs.platforms, ["linux/amd64"]);
    // Relative to the project directory (Pulumi.yaml), where the Docker provider resolves both.
    assert.deepEqual(image.inputs.context, { location: "." });
    assert.deepEqual(image.inputs.dockerfile, { location: "container/Dockerfile" });
    assert.ok(fs.existsSync(path.join(path.dirname(require.resolve("../../Pulumi.yaml")), "container", "Dockerfile")));
    // Registry cache: the last pushed image is the cache source, and each push carries its cache inline.
    assert.deepEqual(image.inputs.cacheFrom, [{ registry: { ref: `${ecrUrl()}:latest` } }]);
    assert.deepEqual(image.inputs.cacheTo, [{ inline: {} }]);
    assert.deepEqual(image.inputs.tags, [`${ecrUrl()}:latest`]);
    // The registries hold the token password, so the engine sees them as one secret value.
    const secret = image.inputs.registries;
    assert.equal(secret[pulumi.runtime.specialSigKey], pulumi.runtime.specialSecretSig);
    assert.deepEqual(secret.value, [{ address: ecrUrl(), username: "AWS", password: "ecr-password" }]);
    const repo = one("aws:ecr/repository:Repository");
    assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
    const lifecycle = JSON.parse(one("aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs.policy);
    assert.deepEqual(lifecycle.rules[0].selection, {
      tagStatus: "any",
      countType: "imageCountMoreThan",
      countNumber: 5,
    });
  });

  it("packages the pinned model with quoted arguments from the repo root", function () {
    const packaging = one("command:local:Command", "-package");
    assert.equal(
      packaging.inputs.create,
      `node_modules/.bin/tsx scripts/package-model.ts --repo 'Systran/faster-whisper-large-v3' --revision 'edaa852ec7e145841d8ffdb056a99866b5f0a478' --bucket '${exports.bucketName}' --prefix 'models/'`,
    );
    assert.deepEqual(packaging.inputs.environment, { AWS_REGION: REGION });
    assert.deepEqual(packaging.inputs.triggers, [
      "Systran/faster-whisper-large-v3",
      "edaa852ec7e145841d8ffdb056a99866b5f0a478",
      "",
      "false",
    ]);
    assert.equal(packaging.inputs.dir, undefined, "runs in the project directory, named by no absolute path");
  });

  it("keeps model prefixes on purpose: no delete step, and no lifecycle rule reaches models/", function () {
    const packaging = one("command:local:Command", "-package");
    assert.equal(packaging.inputs.delete, undefined, "a model change or destroy leaves the uploaded prefix");
    const rules: Json[] = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
    for (const rule of rules.filter((r) => r.expiration)) {
      assert.ok(!"models/".startsWith(rule.filter.prefix), `${rule.id} would expire models/`);
    }
  });

  it("runs the image by digest with the model as an uncompressed S3 prefix, network isolated", function () {
    const model = one("aws:sagemaker/model:Model");
    const container = model.inputs.primaryContainer;
    assert.equal(container.image, exports.imageUri);
    assert.deepEqual(container.modelDataSource.s3DataSources, [
      { s3Uri: MODEL_URI_OF(String(exports.bucketName)), s3DataType: "S3Prefix", compressionType: "None" },
    ]);
    assert.equal(container.modelDataUrl, undefined);
    assert.equal(model.inputs.enableNetworkIsolation, true);
    // Only what the stack decides: the server's own defaults (and the image's WHISPER_DEVICE=cuda) do the rest.
    assert.deepEqual(container.environment, {
      WHISPER_MAX_QUEUE: "10",
      WHISPER_MODEL_NAME: "Systran/faster-whisper-large-v3@edaa852ec7e1",
    });
    assert.match(model.inputs.executionRoleArn, /:role\//);
  });

  it("configures the async variant: CUDA 12 AMI, timeouts, output/failure paths, topics, KMS, concurrency", function () {
    const config = one("aws:sagemaker/endpointConfiguration:EndpointConfiguration");
    const bucket = String(exports.bucketName);
    assert.deepEqual(config.inputs.productionVariants, [
      {
        variantName: "whisper",
        modelName: one("aws:sagemaker/model:Model").name,
        instanceType: "ml.g5.2xlarge",
        initialInstanceCount: 1,
        inferenceAmiVersion: "al2-ami-sagemaker-inference-gpu-3-1",
        containerStartupHealthCheckTimeoutInSeconds: 900,
        modelDataDownloadTimeoutInSeconds: 900,
      },
    ]);
    assert.deepEqual(config.inputs.asyncInferenceConfig, {
      outputConfig: {
        s3OutputPath: `s3://${bucket}/async/outputs/`,
        s3FailurePath: `s3://${bucket}/async/failures/`,
        kmsKeyId: KMS,
        notificationConfig: {
          successTopic: exports.successTopicArn,
          errorTopic: exports.errorTopicArn,
          includeInferenceResponseIns: ["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"],
        },
      },
      clientConfig: { maxConcurrentInvocationsPerInstance: 10 },
    });
    assert.equal(config.inputs.kmsKeyArn, undefined, "volume keys are rejected on instances with NVMe storage");
    const endpoint = one("aws:sagemaker/endpoint:Endpoint");
    assert.equal(endpoint.inputs.name, ENDPOINT);
    assert.equal(endpoint.inputs.endpointConfigName, config.name);
    assert.deepEqual(endpoint.inputs.tags, { team: "speech" });
  });

  it("registers a scalable target from 0 to maxInstances on the variant", function () {
    const target = one("aws:appautoscaling/target:Target");
    assert.equal(target.inputs.resourceId, `endpoint/${ENDPOINT}/variant/whisper`);
    assert.equal(target.inputs.scalableDimension, "sagemaker:variant:DesiredInstanceCount");
    assert.equal(target.inputs.serviceNamespace, "sagemaker");
    assert.equal(target.inputs.minCapacity, 0);
    assert.equal(target.inputs.maxCapacity, 3);
    for (const policy of ofType("aws:appautoscaling/policy:Policy")) {
      assert.equal(policy.inputs.resourceId, target.inputs.resourceId, policy.name);
    }
  });

  it("scales out from zero to exactly 1 on HasBacklogWithoutCapacity >= 1 (idempotent while it starts)", function () {
    const fromZero = alarm("HasBacklogWithoutCapacity");
    assert.deepEqual(fromZero.inputs.dimensions, { EndpointName: ENDPOINT });
    assert.equal(fromZero.inputs.namespace, "AWS/SageMaker");
    assert.equal(fromZero.inputs.comparisonOperator, "GreaterThanOrEqualToThreshold");
    assert.equal(fromZero.inputs.threshold, 1);
    assert.equal(fromZero.inputs.period, 60);
    assert.ok([1, 2].includes(fromZero.inputs.evaluationPeriods));
    const step = policyOf(fromZero).inputs.stepScalingPolicyConfiguration;
    // The alarm stays in ALARM while the first instance starts and the policy re-runs after each cooldown:
    // "exactly 1" keeps it at one however long the cold start, where "+1" would add a second instance.
    assert.equal(step.adjustmentType, "ExactCapacity");
    assert.deepEqual(step.stepAdjustments, [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }]);
  });

  it("scales in step by step only while nothing is queued or running (traces: scale-in-traces.test.ts)", function () {
    const surplus = ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.endsWith("-surplus"));
    assert.equal(surplus.length, 1);
    const { inputs } = surplus[0];
    const queries: Json[] = inputs.metricQueries;
    const metrics = queries.filter((q) => q.metric).map((q) => [q.id, q.metric.metricName, q.metric.dimensions]);
    assert.deepEqual(metrics, [
      ["backlog", "ApproximateBacklogSize", { EndpointName: ENDPOINT }],
      ["instances", "CPUUtilization", { EndpointName: ENDPOINT, VariantName: "whisper" }],
    ]);
    const stats = queries.filter((q) => q.metric).map((q) => [q.metric.namespace, q.metric.stat, q.metric.period]);
    assert.deepEqual(stats, [
      ["AWS/SageMaker", "Maximum", 60],
      ["/aws/sagemaker/Endpoints", "SampleCount", 60],
    ]);
    assert.deepEqual(
      queries.filter((q) => q.returnData).map((q) => q.id),
      ["surplus"],
    );
    assert.equal(inputs.comparisonOperator, "GreaterThanOrEqualToThreshold");
    assert.equal(inputs.threshold, 1);
    assert.equal(inputs.evaluationPeriods, 5);
    assert.equal(inputs.treatMissingData, "notBreaching");
    const step = policyOf(surplus[0]).inputs.stepScalingPolicyConfiguration;
    assert.equal(step.adjustmentType, "ChangeInCapacity");
    assert.deepEqual(step.stepAdjustments, [{ metricIntervalLowerBound: "0", scalingAdjustment: -1 }]);
  });

  it("tracks backlog per instance (EndpointName only) for scale-out, never scale-in", function () {
    const [tracking] = ofType("aws:appautoscaling/policy:Policy").filter(
      (p) => p.inputs.policyType === "TargetTrackingScaling",
    );
    const spec = tracking.inputs.targetTrackingScalingPolicyConfiguration;
    assert.equal(spec.targetValue, 5);
    assert.equal(spec.disableScaleIn, true);
    assert.deepEqual(spec.customizedMetricSpecification, {
      namespace: "AWS/SageMaker",
      metricName: "ApproximateBacklogSizePerInstance",
      dimensions: [{ name: "EndpointName", value: ENDPOINT }],
      statistic: "Average",
    });
  });

  it("scales in to zero only after idleMinutes of instances idle (traces: scale-in-traces.test.ts)", function () {
    const [idle] = ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.endsWith("-idle"));
    const queries: Json[] = idle.inputs.metricQueries;
    assert.deepEqual(
      queries.filter((q) => q.metric).map((q) => [q.id, q.metric.metricName, q.metric.dimensions, q.metric.stat]),
      [
        ["backlog", "ApproximateBacklogSize", { EndpointName: ENDPOINT }, "Maximum"],
        ["instances", "CPUUtilization", { EndpointName: ENDPOINT, VariantName: "whisper" }, "SampleCount"],
      ],
    );
    assert.deepEqual(
      queries.filter((q) => q.returnData).map((q) => q.id),
      ["idle"],
    );
    assert.equal(idle.inputs.comparisonOperator, "GreaterThanOrEqualToThreshold");
    assert.equal(idle.inputs.threshold, 1);
    assert.equal(idle.inputs.evaluationPeriods, 12);
    assert.equal(idle.inputs.datapointsToAlarm, 12);
    assert.equal(idle.inputs.treatMissingData, "notBreaching");
    const step = policyOf(idle).inputs.stepScalingPolicyConfiguration;
    assert.equal(step.adjustmentType, "ExactCapacity");
    assert.deepEqual(step.stepAdjustments, [{ metricIntervalLowerBound: "0", scalingAdjustment: 0 }]);
  });

  it("drives each step policy from one alarm, in one direction, on the breaching side of its threshold", function () {
    const steps = ofType("aws:appautoscaling/policy:Policy").filter((p) => p.inputs.policyType === "StepScaling");
    assert.equal(steps.length, 3);
    const expected: Record<string, "out" | "in"> = {
      "-from-zero": "out",
      "-step-in": "in",
      "-to-idle": "in",
    };
    for (const a of ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) {
      const action = (a.inputs.alarmActions as string[])[0];
      const policy = steps.find((p) => action.endsWith(`scalingPolicy:${p.name}`));
      if (!policy) continue; // notification alarms
      const direction = Object.entries(expected).find(([suffix]) => policy.name.endsWith(suffix))?.[1];
      assert.ok(direction, policy.name);
      const { adjustmentType, stepAdjustments } = policy.inputs.stepScalingPolicyConfiguration;
      // Bounds are relative to the threshold: an alarm "above" breaches at >= 0, an alarm "below" at <= 0.
      const above = a.inputs.comparisonOperator.startsWith("GreaterThan");
      for (const s of stepAdjustments) {
        if (above) assert.deepEqual([s.metricIntervalLowerBound, s.metricIntervalUpperBound], ["0", undefined]);
        else assert.deepEqual([s.metricIntervalLowerBound, s.metricIntervalUpperBound], [undefined, "0"]);
        if (adjustmentType === "ExactCapacity") {
          // Exact targets: 1 from zero (scale-out), minInstances (0 here) to idle (scale-in).
          assert.equal(s.scalingAdjustment, direction === "out" ? 1 : 0, a.name);
        } else {
          assert.ok(direction === "out" ? s.scalingAdjustment > 0 : s.scalingAdjustment < 0, `${a.name} ${direction}`);
        }
      }
    }
  });

  it("alarms on service failures and a stuck backlog to the error topic; dashboard shows the async metrics", function () {
    const failures = failuresAlarm();
    assert.deepEqual(failures.inputs.alarmActions, [exports.errorTopicArn]);
    // Published per variant: EndpointName alone would match no data and the alarm would stay OK forever.
    const queries: Json[] = failures.inputs.metricQueries;
    assert.deepEqual(
      queries.filter((q) => q.metric).map((q) => [q.metric.metricName, q.metric.dimensions, q.metric.stat]),
      ["Invocation5XXErrors", "RequestDownloadFailures", "ResponseUploadFailures", "NotificationFailures"].map(
        (name) => [name, { EndpointName: ENDPOINT, VariantName: "whisper" }, "Sum"],
      ),
    );
    assert.deepEqual(
      queries.filter((q) => q.returnData).map((q) => q.expression),
      ["FILL(f0, 0) + FILL(f1, 0) + FILL(f2, 0) + FILL(f3, 0)"],
    );
    assert.equal(failures.inputs.comparisonOperator, "GreaterThanOrEqualToThreshold");
    assert.equal(failures.inputs.threshold, 1);
    const stuck = alarm("ApproximateAgeOfOldestRequest");
    assert.deepEqual(stuck.inputs.alarmActions, [exports.errorTopicArn]);
    assert.deepEqual(stuck.inputs.dimensions, { EndpointName: ENDPOINT });
    assert.equal(stuck.inputs.threshold, 30 * 60);
    assert.equal(stuck.inputs.comparisonOperator, "GreaterThanThreshold");
    const body: Json = JSON.parse(one("aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody);
    const metricNames = body.widgets.flatMap((w: Json) => w.properties.metrics.map((m: string[]) => m[1]));
    for (const name of [
      "ApproximateBacklogSize",
      "ApproximateAgeOfOldestRequest",
      "CPUUtilization",
      "InvocationsProcessed",
      "InvocationFailures",
      "ModelLatency",
    ]) {
      assert.ok(metricNames.includes(name), `dashboard shows ${name}`);
    }
  });

  it("hardens the bucket: public access blocked, owner enforced, SSE-KMS, TLS only, request data expiry", function () {
    const pab = one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
    for (const key of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
      assert.equal(pab[key], true, key);
    }
    assert.deepEqual(one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule, {
      objectOwnership: "BucketOwnerEnforced",
    });
    const sse = one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs;
    assert.deepEqual(sse.rules[0].applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: KMS });
    const policy: Json = JSON.parse(one("aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
    assert.deepEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
    assert.equal(policy.Statement[0].Effect, "Deny");
    const rules = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
    assert.deepEqual(rules[0].filter, { prefix: "async/" });
    assert.deepEqual(rules[0].expiration, { days: 9 });
    assert.deepEqual(rules[1].abortIncompleteMultipartUpload, { daysAfterInitiation: 1 });
    for (const topic of ofType("aws:sns/topic:Topic")) assert.equal(topic.inputs.kmsMasterKeyId, KMS);
  });

  it("gives the execution role exactly its least-privilege statements", function () {
    const role = one("aws:iam/role:Role", "-exec-role");
    // Only SageMaker acting for this account's resources in this region (confused deputy prevention).
    assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement, [
      {
        Effect: "Allow",
        Principal: { Service: "sagemaker.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": ACCOUNT },
          ArnLike: { "aws:SourceArn": `arn:aws:sagemaker:${REGION}:${ACCOUNT}:*` },
        },
      },
    ]);
    const bucketArn = `arn:aws:s3:::${exports.bucketName}`;
    const repoArn = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${one("aws:ecr/repository:Repository").name}`;
    const logs = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${ENDPOINT}`;
    const statements: Json[] = JSON.parse(one("aws:iam/rolePolicy:RolePolicy", "-exec-policy").inputs.policy).Statement;
    assert.deepEqual(statements, [
      {
        Sid: "ReadModelAndInputs",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        // The drop folder submits recordings where they were dropped, or a copy under a URI-safe key.
        Resource: [
          `${bucketArn}/models/*`,
          `${bucketArn}/async/inputs/*`,
          `${bucketArn}/drop/*`,
          `${bucketArn}/async/drop-inputs/*`,
        ],
      },
      {
        Sid: "ListModelPrefix",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: bucketArn,
        Condition: { StringLike: { "s3:prefix": ["models/*", "async/inputs/*"] } },
      },
      {
        Sid: "WriteOutputsAndFailures",
        Effect: "Allow",
        Action: ["s3:PutObject"],
        Resource: [`${bucketArn}/async/outputs/*`, `${bucketArn}/async/failures/*`],
      },
      {
        Sid: "PullInferenceImage",
        Effect: "Allow",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Resource: repoArn,
      },
      { Sid: "EcrAuthToken", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
      {
        Sid: "NotifyCompletion",
        Effect: "Allow",
        Action: ["sns:Publish"],
        Resource: [exports.successTopicArn, exports.errorTopicArn],
      },
      {
        Sid: "WriteEndpointLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: [logs, `${logs}:*`],
      },
      {
        Sid: "PublishSageMakerMetrics",
        Effect: "Allow",
        Action: ["cloudwatch:PutMetricData"],
        Resource: "*",
        Condition: { StringLike: { "cloudwatch:namespace": ["AWS/SageMaker", "/aws/sagemaker/*"] } },
      },
      { Sid: "UseBucketKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: KMS },
    ]);
    assert.equal(
      ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").length,
      0,
      "no managed *FullAccess policies",
    );
  });

  it("uses no wildcard action anywhere and Resource * only for the ECR token and metrics", function () {
    const documents = [...ofType("aws:iam/rolePolicy:RolePolicy"), ...ofType("aws:iam/policy:Policy")].map((p) =>
      JSON.parse(p.inputs.policy),
    );
    for (const statement of documents.flatMap((d: Json) => d.Statement)) {
      for (const action of [statement.Action].flat())
        assert.ok(!String(action).includes("*"), `wildcard action ${action}`);
      if ([statement.Resource].flat().includes("*")) {
        assert.deepEqual(
          statement.Action.filter((a: string) => a !== "ecr:GetAuthorizationToken" && a !== "cloudwatch:PutMetricData"),
          [],
        );
      }
    }
  });

  it("exports a client policy limited to this endpoint and the request prefixes", function () {
    const bucketArn = `arn:aws:s3:::${exports.bucketName}`;
    const statements: Json[] = JSON.parse(one("aws:iam/policy:Policy").inputs.policy).Statement;
    assert.deepEqual(statements, [
      {
        Sid: "InvokeAsync",
        Effect: "Allow",
        Action: ["sagemaker:InvokeEndpointAsync"],
        Resource: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${ENDPOINT}`,
      },
      {
        Sid: "UploadInputs",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
        Resource: `${bucketArn}/async/inputs/*`,
      },
      {
        Sid: "ReadResults",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: [`${bucketArn}/async/outputs/*`, `${bucketArn}/async/failures/*`],
      },
      { Sid: "TellMissingResults", Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArn },
      { Sid: "UseBucketKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: KMS },
    ]);
  });

  it("fails the program with the loader's message, without a stack trace, on bad config", function () {
    pulumi.runtime.setAllConfig({ "whisper-async:instanceType": "ml.m5.xlarge" });
    const programPath = require.resolve("../../index");
    delete require.cache[programPath];
    try {
      assert.throws(
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        () => require(programPath),
        (e: unknown) =>
          e instanceof pulumi.RunError &&
          /^whisper-async:instanceType must be a GPU instance of family/.test(e.message),
      );
    } finally {
      pulumi.runtime.setAllConfig({
        "whisper-async:instanceType": "ml.g5.2xlarge",
        "whisper-async:instancePricePerHour": "1.5",
      });
    }
  });

  it("puts no absolute path of the checkout into any resource input (the state is the same on every machine)", function () {
    const checkout = path.resolve(__dirname, "../..");
    for (const r of programResources()) {
      assert.ok(!JSON.stringify(r.inputs).includes(checkout), `${r.type} ${r.name} names ${checkout}`);
    }
    assert.ok(!JSON.stringify(programResources()).includes(process.cwd()), "nor the working directory");
  });

  it("names every resource from its component name (no collisions between instances)", function () {
    const names = programResources().map((r) => `${r.type}::${r.name}`);
    assert.equal(new Set(names).size, names.length);
    for (const r of programResources()) assert.match(r.name, /^whisper/, `${r.type} ${r.name}`);
  });
});

describe("Pulumi program under mocks with whisper-async:alarmTopicArn", function () {
  const ONCALL = `arn:aws:sns:${REGION}:${ACCOUNT}:oncall`;
  let exports: Record<string, unknown>;

  before(async function () {
    ({ exports } = await loadProgram({
      "aws:region": REGION,
      "whisper-async:instanceType": "ml.g5.2xlarge",
      "whisper-async:instancePricePerHour": "1.5",
      "whisper-async:alarmTopicArn": ONCALL,
    }));
  });

  it("sends both operational alarms, and the stuck backlog's OK, to that topic and not to the error topic", function () {
    assert.match(String(exports.errorTopicArn), /:sns:.*error$/);
    assert.notEqual(exports.errorTopicArn, ONCALL);
    const failures = failuresAlarm();
    assert.deepEqual(failures.inputs.alarmActions, [ONCALL]);
    assert.equal(failures.inputs.okActions, undefined, "the program sets no OK action on the failures alarm");
    const stuck = alarm("ApproximateAgeOfOldestRequest");
    assert.deepEqual(stuck.inputs.alarmActions, [ONCALL]);
    assert.deepEqual(stuck.inputs.okActions, [ONCALL]);
    for (const a of ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) {
      for (const key of ["alarmActions", "okActions", "insufficientDataActions"]) {
        assert.ok(!((a.inputs[key] ?? []) as string[]).includes(String(exports.errorTopicArn)), `${a.name} ${key}`);
      }
    }
    // SageMaker still reports failed requests to the error topic: only the alarms move. By default (no
    // resultInNotifications) the notifications carry no transcript.
    const notification = one("aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs.asyncInferenceConfig
      .outputConfig.notificationConfig;
    assert.deepEqual(notification, { successTopic: exports.successTopicArn, errorTopic: exports.errorTopicArn });
  });
});
