/** Table tests of the stack config loader: defaults, accepted values and every validation error. */
import { strict as assert } from "node:assert";
import { ConfigError, DEFAULTS, loadStackConfig } from "../../components/config";

/** The stack's whisper-async settings in `region` (us-east-1 unless a test says otherwise). */
function load(values: Record<string, string>, region: string | undefined = "us-east-1") {
  return loadStackConfig((key) => values[key], region);
}

describe("stack config", function () {
  it("defaults to a scale-to-zero g4dn endpoint serving the pinned large-v3", function () {
    const config = load({});
    assert.equal(config.instanceType, "ml.g4dn.xlarge");
    assert.equal(config.minInstances, 0);
    assert.equal(config.maxInstances, DEFAULTS.maxInstances);
    assert.equal(config.modelRepo, "Systran/faster-whisper-large-v3");
    assert.equal(config.modelRevision, "edaa852ec7e145841d8ffdb056a99866b5f0a478");
    assert.equal(config.modelLocalDir, undefined);
    assert.equal(config.kmsKeyArn, undefined);
    assert.equal(config.inferenceAmiVersion, "al2-ami-sagemaker-inference-gpu-3-1");
    assert.equal(config.forceDestroy, false);
    assert.equal(config.resultInNotifications, false);
    assert.deepEqual(config.tags, {});
    assert.deepEqual(config.callers, []);
    assert.equal(config.kmsKeyAllowsCloudWatch, false);
    // Server settings stay unset unless the stack sets them: the server's defaults apply.
    assert.deepEqual(
      [config.computeType, config.batchSize, config.beamSize, config.chunkSeconds, config.minWindowSeconds],
      [undefined, undefined, undefined, undefined, undefined],
    );
    assert.equal(config.speakerLabels, "off");
    assert.equal(config.updateTerminationWaitMinutes, 20);
  });

  it("fits a blue/green update into the provider's 60-minute waiter exactly at the limit", function () {
    // 300 s launch + 900 s download + 900 s startup + 25 min drain = 3600 s.
    assert.equal(load({ updateTerminationWaitMinutes: "25" }).updateTerminationWaitMinutes, 25);
    assert.throws(() => load({ updateTerminationWaitMinutes: "26" }), ConfigError);
    assert.equal(load({ updateTerminationWaitMinutes: "0" }).updateTerminationWaitMinutes, 0);
  });

  it("routes alarms to a KMS-encrypted error topic only when the key policy is confirmed to let CloudWatch in", function () {
    const kmsKeyArn = "arn:aws:kms:eu-west-1:123456789012:key/abc-123";
    const confirmed = load({ kmsKeyArn, kmsKeyAllowsCloudWatch: "true" });
    assert.equal(confirmed.kmsKeyAllowsCloudWatch, true);
    assert.equal(confirmed.alarmTopicArn, undefined);
    assert.equal(load({ kmsKeyArn, alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:oncall" }).kmsKeyArn, kmsKeyArn);
    assert.equal(load({ kmsKeyAllowsCloudWatch: "true" }).kmsKeyArn, undefined, "harmless without a key");
  });

  it("accepts every GPU family and explicit values", function () {
    for (const type of [
      "ml.g4dn.2xlarge",
      "ml.g5.xlarge",
      "ml.g6.xlarge",
      "ml.g6e.xlarge",
      "ml.p3.2xlarge",
      "ml.p4d.24xlarge",
      "ml.p5.48xlarge",
    ]) {
      assert.equal(load({ instanceType: type, instancePricePerHour: "2.5" }).instanceType, type);
    }
    const config = load({
      minInstances: "1",
      maxInstances: "4",
      modelRepo: "Systran/faster-whisper-large-v3-turbo",
      modelRevision: "0".repeat(40),
      computeType: "int8_float16",
      forceDestroy: "true",
      resultInNotifications: "true",
      tags: '{"team":"speech"}',
      kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc-123",
      alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:oncall",
      callers: '["web","batch-2"]',
    });
    assert.deepEqual(config.callers, ["web", "batch-2"]);
    assert.equal(config.minInstances, 1);
    assert.equal(config.maxInstances, 4);
    assert.equal(config.modelRepo, "Systran/faster-whisper-large-v3-turbo");
    assert.equal(config.computeType, "int8_float16");
    assert.equal(config.forceDestroy, true);
    assert.equal(config.resultInNotifications, true);
    assert.deepEqual(config.tags, { team: "speech" });
    assert.equal(load({ modelLocalDir: "./my-model" }).modelLocalDir, "./my-model");
  });

  it("prices the instance-hour at the documented us-east-1 default, or at instancePricePerHour", function () {
    assert.equal(load({}).instancePricePerHour, 0.7364);
    assert.equal(load({ instanceType: "ml.g5.xlarge" }).instancePricePerHour, 1.408);
    assert.equal(load({ instanceType: "ml.g5.xlarge", instancePricePerHour: "0.99" }).instancePricePerHour, 0.99);
    assert.equal(load({ instanceType: "ml.g6e.xlarge", instancePricePerHour: "2.1" }).instancePricePerHour, 2.1);
    assert.equal(load({}).logRetentionDays, 30);
    assert.equal(load({ logRetentionDays: "365" }).logRetentionDays, 365);
  });

  const errors: [string, Record<string, string>, RegExp][] = [
    [
      "CPU instance",
      { instanceType: "ml.m5.xlarge" },
      /whisper-async:instanceType must be a GPU instance of family g4dn, g5/,
    ],
    ["Inferentia instance", { instanceType: "ml.inf2.xlarge" }, /instanceType must be a GPU instance/],
    ["unknown family", { instanceType: "ml.zz9.xlarge" }, /instanceType must be a GPU instance/],
    ["no ml. prefix", { instanceType: "g5.xlarge" }, /whisper-async:instanceType must look like ml.<family>.<size>/],
    ["maxInstances 0", { maxInstances: "0" }, /whisper-async:maxInstances must be an integer from 1 to 100, got "0"/],
    ["maxInstances not a number", { maxInstances: "two" }, /whisper-async:maxInstances must be an integer/],
    ["minInstances negative", { minInstances: "-1" }, /whisper-async:minInstances must be an integer from 0 to 100/],
    [
      "min above max",
      { minInstances: "3", maxInstances: "2" },
      /minInstances \(3\) must not exceed whisper-async:maxInstances \(2\)/,
    ],
    ["idleMinutes 0", { idleMinutes: "0" }, /whisper-async:idleMinutes must be an integer from 1 to 1440/],
    ["idleMinutes fraction", { idleMinutes: "1.5" }, /whisper-async:idleMinutes must be an integer/],
    [
      "backlog target 0",
      { backlogTargetPerInstance: "0" },
      /whisper-async:backlogTargetPerInstance must be an integer from 1/,
    ],
    [
      "concurrency 0",
      { maxConcurrentInvocationsPerInstance: "0" },
      /whisper-async:maxConcurrentInvocationsPerInstance must be an integer from 1/,
    ],
    [
      "short revision",
      { modelRevision: "edaa852" },
      /whisper-async:modelRevision must be a 40-hex commit id, got "edaa852"/,
    ],
    ["branch revision", { modelRevision: "main" }, /whisper-async:modelRevision must be a 40-hex commit id/],
    [
      "repo without owner",
      { modelRepo: "faster-whisper" },
      /whisper-async:modelRepo must be a Hugging Face repo id <owner>\/<name>/,
    ],
    [
      "local dir plus repo",
      { modelLocalDir: "./m", modelRepo: "a/b" },
      /whisper-async:modelLocalDir cannot be combined/,
    ],
    [
      "compute type",
      { computeType: "fp16" },
      /whisper-async:computeType must be one of float16, int8_float16, int8, float32, got "fp16"/,
    ],
    ["batch size", { batchSize: "129" }, /whisper-async:batchSize must be an integer from 1 to 128/],
    ["beam size", { beamSize: "0" }, /whisper-async:beamSize must be an integer from 1 to 20/],
    ["chunk length", { chunkSeconds: "31" }, /whisper-async:chunkSeconds must be an integer from 5 to 30/],
    ["window floor", { minWindowSeconds: "0" }, /whisper-async:minWindowSeconds must be an integer from 1 to 30/],
    [
      "speaker labels",
      { speakerLabels: "yes" },
      /whisper-async:speakerLabels must be one of off, on-request, always, got "yes"/,
    ],
    ["retention", { retentionDays: "0" }, /whisper-async:retentionDays must be an integer from 1 to 3650/],
    ["KMS alias", { kmsKeyArn: "alias/mine" }, /whisper-async:kmsKeyArn must be a KMS key ARN/],
    ["alarm topic name", { alarmTopicArn: "oncall" }, /whisper-async:alarmTopicArn must be an SNS topic ARN/],
    [
      "CUDA 11 AMI",
      { inferenceAmiVersion: "al2-ami-sagemaker-inference-gpu-2" },
      /whisper-async:inferenceAmiVersion must be one of al2-ami-sagemaker-inference-gpu-3-1/,
    ],
    ["forceDestroy yes", { forceDestroy: "yes" }, /whisper-async:forceDestroy must be true or false, got "yes"/],
    [
      "resultInNotifications 1",
      { resultInNotifications: "1" },
      /whisper-async:resultInNotifications must be true or false, got "1"/,
    ],
    ["imagesToKeep 0", { imagesToKeep: "0" }, /whisper-async:imagesToKeep must be an integer from 1/],
    [
      "health check too short",
      { startupHealthCheckTimeoutSeconds: "30" },
      /whisper-async:startupHealthCheckTimeoutSeconds must be an integer from 60 to 3600/,
    ],
    [
      "download too long",
      { modelDownloadTimeoutSeconds: "4000" },
      /whisper-async:modelDownloadTimeoutSeconds must be an integer from 60 to 3600/,
    ],
    [
      "termination wait over an hour",
      { updateTerminationWaitMinutes: "61" },
      /whisper-async:updateTerminationWaitMinutes must be an integer from 0 to 60/,
    ],
    [
      "an update longer than the provider's waiter",
      { modelDownloadTimeoutSeconds: "1800", updateTerminationWaitMinutes: "30" },
      new RegExp(
        "whisper-async:modelDownloadTimeoutSeconds \\(1800\\) \\+ whisper-async:startupHealthCheckTimeoutSeconds \\(900\\) " +
          "\\+ whisper-async:updateTerminationWaitMinutes \\(30 min = 1800 s\\) \\+ 300 s to launch the instance is 4800 s, " +
          "more than the provider's fixed 3600 s endpoint waiter",
      ),
    ],
    [
      "stuck backlog 0",
      { oldestRequestAlarmMinutes: "0" },
      /whisper-async:oldestRequestAlarmMinutes must be an integer from 1/,
    ],
    [
      "a KMS key without an alarm route CloudWatch can use",
      { kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc-123" },
      /whisper-async:kmsKeyArn encrypts the error topic .* set whisper-async:kmsKeyAllowsCloudWatch to true, or set whisper-async:alarmTopicArn/,
    ],
    [
      "kmsKeyAllowsCloudWatch yes",
      { kmsKeyAllowsCloudWatch: "yes" },
      /whisper-async:kmsKeyAllowsCloudWatch must be true or false/,
    ],
    ["callers not a list", { callers: '"web"' }, /whisper-async:callers must be a JSON list of distinct names/],
    ["callers uppercase", { callers: '["Web"]' }, /whisper-async:callers must be a JSON list/],
    ["callers with a slash", { callers: '["a/b"]' }, /whisper-async:callers must be a JSON list/],
    ["callers twice", { callers: '["web","web"]' }, /whisper-async:callers must be a JSON list of distinct names/],
    ["callers not JSON", { callers: "web,batch" }, /whisper-async:callers must be a JSON list/],
    ["tags list", { tags: '["a"]' }, /whisper-async:tags must be a JSON object of string values/],
    ["tags numbers", { tags: '{"a":1}' }, /whisper-async:tags must be a JSON object of string values/],
    ["tags not JSON", { tags: "a=b" }, /whisper-async:tags must be a JSON object of string values/],
    [
      "an instance type without a known price",
      { instanceType: "ml.g6.xlarge" },
      /^whisper-async:instancePricePerHour must be set for ml.g6.xlarge: no default price is known for it/,
    ],
    [
      "price 0",
      { instancePricePerHour: "0" },
      /whisper-async:instancePricePerHour must be a number of dollars above 0/,
    ],
    ["price with a $", { instancePricePerHour: "$1" }, /whisper-async:instancePricePerHour must be a number/],
    ["log retention 10", { logRetentionDays: "10" }, /whisper-async:logRetentionDays must be one of 1, 3, 5, 7, 14/],
  ];
  it("defaults the instance price only in us-east-1, and names the key and the region elsewhere", function () {
    assert.equal(load({ instanceType: "ml.g5.xlarge" }).instancePricePerHour, 1.408);
    assert.equal(load({ instancePricePerHour: "1.2" }, "ap-northeast-1").instancePricePerHour, 1.2);
    assert.throws(
      () => load({}, "ap-northeast-1"),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.startsWith(
          "whisper-async:instancePricePerHour must be set for ml.g4dn.xlarge in ap-northeast-1: the default prices " +
            "are us-east-1 on-demand prices",
        ),
    );
    assert.throws(
      () => loadStackConfig(() => undefined, undefined),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.startsWith("whisper-async:instancePricePerHour must be set when aws:region is not"),
    );
  });

  for (const [title, values, message] of errors) {
    it(`rejects ${title}`, function () {
      assert.throws(
        () => load(values),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      );
    });
  }
});
