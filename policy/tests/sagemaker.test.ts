import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import {
  sagemakerAsyncOutputAndNotifications,
  sagemakerGpuInferenceAmi,
  sagemakerModelDataUncompressed,
  sagemakerModelImageByDigest,
  sagemakerModelNetworkIsolation,
} from "../sagemaker";
import { checkResource, UNKNOWN_DURING_PREVIEW } from "./harness";

const DIGEST = `sha256:${"a1".repeat(32)}`;
const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/whisper-inference@${DIGEST}`;
const MODEL_PREFIX =
  "s3://whisper-data/models/Systran/faster-whisper-large-v3/edaa852ec7e145841d8ffdb056a99866b5f0a478/";

function model(overrides: { container?: Record<string, unknown>; enableNetworkIsolation?: unknown } = {}) {
  return {
    executionRoleArn: "arn:aws:iam::123456789012:role/whisper-execution",
    enableNetworkIsolation: "enableNetworkIsolation" in overrides ? overrides.enableNetworkIsolation : true,
    primaryContainer: {
      image: IMAGE,
      modelDataSource: { s3DataSources: [{ s3DataType: "S3Prefix", s3Uri: MODEL_PREFIX, compressionType: "None" }] },
      environment: { WHISPER_COMPUTE_TYPE: "float16" },
      ...overrides.container,
    },
  };
}

function endpointConfiguration(outputConfig: unknown, variant: Record<string, unknown> = {}) {
  return {
    productionVariants: [
      {
        variantName: "AllTraffic",
        modelName: "whisper",
        instanceType: "ml.g4dn.xlarge",
        initialInstanceCount: 1,
        inferenceAmiVersion: "al2-ami-sagemaker-inference-gpu-3-1",
        ...variant,
      },
    ],
    asyncInferenceConfig: outputConfig === undefined ? undefined : { outputConfig },
  };
}

const COMPLETE_OUTPUT = {
  s3OutputPath: "s3://whisper-data/async/outputs/",
  s3FailurePath: "s3://whisper-data/async/failures/",
  notificationConfig: {
    successTopic: "arn:aws:sns:us-east-1:123456789012:whisper-success",
    errorTopic: "arn:aws:sns:us-east-1:123456789012:whisper-error",
  },
};

describe("policy sagemaker-model-image-by-digest", () => {
  it("passes an image referenced by digest, also in pipeline containers", async () => {
    assert.deepEqual(await checkResource(sagemakerModelImageByDigest, aws.sagemaker.Model, model()), []);
    const pipeline = { executionRoleArn: "r", containers: [{ image: IMAGE }, { image: IMAGE }] };
    assert.deepEqual(await checkResource(sagemakerModelImageByDigest, aws.sagemaker.Model, pipeline), []);
  });

  it("rejects tags, truncated digests and a missing image", async () => {
    for (const image of [`${IMAGE.split("@")[0]}:latest`, `${IMAGE.split("@")[0]}@sha256:abc123`]) {
      const violations = await checkResource(
        sagemakerModelImageByDigest,
        aws.sagemaker.Model,
        model({ container: { image } }),
      );
      assert.equal(violations.length, 1, image);
      assert.match(String(violations), /not pinned by digest/);
    }
    const missing = await checkResource(
      sagemakerModelImageByDigest,
      aws.sagemaker.Model,
      model({ container: { image: undefined } }),
    );
    assert.match(String(missing), /no image/);
  });

  it("does not judge the digest while the image is still to be built (preview)", async () => {
    const preview = model({ container: { image: UNKNOWN_DURING_PREVIEW } });
    assert.deepEqual(await checkResource(sagemakerModelImageByDigest, aws.sagemaker.Model, preview), []);
  });
});

describe("policy sagemaker-model-data-uncompressed", () => {
  it("passes an uncompressed S3 prefix", async () => {
    assert.deepEqual(await checkResource(sagemakerModelDataUncompressed, aws.sagemaker.Model, model()), []);
  });

  it("rejects a tarball URL, a compressed or single-object source, and no source", async () => {
    const tarball = model({ container: { modelDataSource: undefined, modelDataUrl: "s3://b/model.tar.gz" } });
    assert.match(
      String(await checkResource(sagemakerModelDataUncompressed, aws.sagemaker.Model, tarball)),
      /modelDataUrl/,
    );
    const gzip = model({
      container: {
        modelDataSource: {
          s3DataSources: [{ s3DataType: "S3Object", s3Uri: "s3://b/m.tar.gz", compressionType: "Gzip" }],
        },
      },
    });
    const violations = await checkResource(sagemakerModelDataUncompressed, aws.sagemaker.Model, gzip);
    assert.equal(violations.length, 2);
    assert.match(violations[0], /"S3Object"/);
    assert.match(violations[1], /"Gzip"/);
    const none = model({ container: { modelDataSource: undefined } });
    assert.match(
      String(await checkResource(sagemakerModelDataUncompressed, aws.sagemaker.Model, none)),
      /no modelDataSource/,
    );
  });

  it("does not judge a source list unknown during preview", async () => {
    const preview = model({ container: { modelDataSource: { s3DataSources: UNKNOWN_DURING_PREVIEW } } });
    assert.deepEqual(await checkResource(sagemakerModelDataUncompressed, aws.sagemaker.Model, preview), []);
  });
});

describe("policy sagemaker-model-network-isolation", () => {
  it("passes isolation on", async () => {
    assert.deepEqual(await checkResource(sagemakerModelNetworkIsolation, aws.sagemaker.Model, model()), []);
  });

  it("rejects isolation off or unset", async () => {
    for (const enableNetworkIsolation of [false, undefined]) {
      const violations = await checkResource(
        sagemakerModelNetworkIsolation,
        aws.sagemaker.Model,
        model({ enableNetworkIsolation }),
      );
      assert.deepEqual(violations, ["Model must set enableNetworkIsolation: true."]);
    }
  });

  it("does not judge an unknown setting", async () => {
    const preview = model({ enableNetworkIsolation: UNKNOWN_DURING_PREVIEW });
    assert.deepEqual(await checkResource(sagemakerModelNetworkIsolation, aws.sagemaker.Model, preview), []);
  });
});

describe("policy sagemaker-async-output-and-notifications", () => {
  const check = (props: unknown) =>
    checkResource(
      sagemakerAsyncOutputAndNotifications,
      aws.sagemaker.EndpointConfiguration,
      props as Record<string, unknown>,
    );

  it("passes output and failure paths with both topics", async () => {
    assert.deepEqual(await check(endpointConfiguration(COMPLETE_OUTPUT)), []);
  });

  it("rejects a real-time configuration", async () => {
    assert.match(String(await check(endpointConfiguration(undefined))), /no asyncInferenceConfig/);
  });

  it("names every missing path and topic in one violation", async () => {
    const output = {
      s3OutputPath: COMPLETE_OUTPUT.s3OutputPath,
      notificationConfig: { successTopic: "arn:aws:sns:x" },
    };
    assert.deepEqual(await check(endpointConfiguration(output)), [
      "asyncInferenceConfig is missing outputConfig.s3FailurePath, outputConfig.notificationConfig.errorTopic.",
    ]);
  });

  it("does not judge paths and topics unknown during preview", async () => {
    const output = {
      s3OutputPath: UNKNOWN_DURING_PREVIEW,
      s3FailurePath: UNKNOWN_DURING_PREVIEW,
      notificationConfig: { successTopic: UNKNOWN_DURING_PREVIEW, errorTopic: UNKNOWN_DURING_PREVIEW },
    };
    assert.deepEqual(await check(endpointConfiguration(output)), []);
    assert.deepEqual(await check({ asyncInferenceConfig: UNKNOWN_DURING_PREVIEW }), []);
  });
});

describe("policy sagemaker-gpu-inference-ami", () => {
  const check = (variant: Record<string, unknown>) =>
    checkResource(
      sagemakerGpuInferenceAmi,
      aws.sagemaker.EndpointConfiguration,
      endpointConfiguration(COMPLETE_OUTPUT, variant),
    );

  it("passes a GPU variant with an inference AMI, and CPU or Inferentia variants without one", async () => {
    assert.deepEqual(await check({}), []);
    assert.deepEqual(await check({ instanceType: "ml.m5.xlarge", inferenceAmiVersion: undefined }), []);
    assert.deepEqual(await check({ instanceType: "ml.inf2.xlarge", inferenceAmiVersion: undefined }), []);
  });

  it("rejects GPU variants without one", async () => {
    for (const instanceType of ["ml.g4dn.xlarge", "ml.g5.2xlarge", "ml.g6e.xlarge", "ml.p4d.24xlarge"]) {
      const violations = await check({ instanceType, inferenceAmiVersion: undefined });
      assert.equal(violations.length, 1, instanceType);
      assert.match(
        violations[0],
        new RegExp(`Variant "AllTraffic" on GPU instance ${instanceType.replace(/\./g, "\\.")}`),
      );
    }
  });

  it("does not judge an unknown instance type or AMI", async () => {
    assert.deepEqual(await check({ instanceType: UNKNOWN_DURING_PREVIEW, inferenceAmiVersion: undefined }), []);
    assert.deepEqual(await check({ inferenceAmiVersion: UNKNOWN_DURING_PREVIEW }), []);
  });
});
