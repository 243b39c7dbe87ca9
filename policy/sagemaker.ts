import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { at, isPlainObject, isUnknown, objectsIn, plain, text, type PlainObject } from "./lib/known";

/** An image reference pinned to content: `<repository>@sha256:<64 hex>`. */
const IMAGE_BY_DIGEST = /@sha256:[0-9a-f]{64}$/;
/** SageMaker GPU instance families (g4dn, g5, g6, g6e, p3, p4d, p5 ...). Inferentia/Trainium are not GPUs. */
const GPU_INSTANCE_TYPE = /^ml\.(g|p)\d/;

/** The model's containers: the primary one, or each container of an inference pipeline. */
function containersOf(model: PlainObject): PlainObject[] {
  return [...objectsIn(model.primaryContainer), ...objectsIn(model.containers)];
}

export const sagemakerModelImageByDigest: ResourceValidationPolicy = {
  name: "sagemaker-model-image-by-digest",
  description: "SageMaker model containers reference their image by digest (@sha256:...), never by a mutable tag.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.sagemaker.Model, (props, _args, reportViolation) => {
    for (const container of containersOf(plain(props))) {
      const image = text(container.image);
      if (image === undefined) {
        reportViolation("Model container has no image; set it to the pushed image's repoDigest.");
      } else if (!isUnknown(image) && !IMAGE_BY_DIGEST.test(image)) {
        reportViolation(`Model image "${image}" is not pinned by digest; use <repository>@sha256:<digest>.`);
      }
    }
  }),
};

export const sagemakerModelDataUncompressed: ResourceValidationPolicy = {
  name: "sagemaker-model-data-uncompressed",
  description:
    "SageMaker models load their weights from an uncompressed S3 prefix (S3Prefix + CompressionType None), " +
    "not a model.tar.gz.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.sagemaker.Model, (props, _args, reportViolation) => {
    for (const container of containersOf(plain(props))) {
      if (text(container.modelDataUrl) !== undefined) {
        reportViolation("Model uses modelDataUrl (a tarball unpacked on every start); use modelDataSource instead.");
        continue;
      }
      const sources = at(container, "modelDataSource", "s3DataSources");
      if (isUnknown(sources)) {
        continue;
      }
      const s3Sources = objectsIn(sources);
      if (s3Sources.length === 0) {
        reportViolation("Model has no modelDataSource.s3DataSources; point it at the model's S3 prefix.");
      }
      for (const source of s3Sources) {
        if (!isUnknown(source.s3DataType) && source.s3DataType !== "S3Prefix") {
          reportViolation(`Model data s3DataType is ${JSON.stringify(source.s3DataType)}, expected "S3Prefix".`);
        }
        if (!isUnknown(source.compressionType) && source.compressionType !== "None") {
          reportViolation(`Model data compressionType is ${JSON.stringify(source.compressionType)}, expected "None".`);
        }
      }
    }
  }),
};

export const sagemakerModelNetworkIsolation: ResourceValidationPolicy = {
  name: "sagemaker-model-network-isolation",
  description: "SageMaker models run with network isolation: the container needs no network, the model is in S3.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.sagemaker.Model, (props, _args, reportViolation) => {
    const isolation = plain(props).enableNetworkIsolation;
    if (!isUnknown(isolation) && isolation !== true) {
      reportViolation("Model must set enableNetworkIsolation: true.");
    }
  }),
};

export const sagemakerAsyncOutputAndNotifications: ResourceValidationPolicy = {
  name: "sagemaker-async-output-and-notifications",
  description:
    "SageMaker endpoint configurations are asynchronous, with S3 output and failure paths and SNS success and " +
    "error topics.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.sagemaker.EndpointConfiguration, (props, _args, reportViolation) => {
    const asyncConfig = plain(props).asyncInferenceConfig;
    if (isUnknown(asyncConfig)) {
      return;
    }
    if (!isPlainObject(asyncConfig)) {
      reportViolation("Endpoint configuration has no asyncInferenceConfig; this service runs asynchronous endpoints.");
      return;
    }
    const required: [string, string[]][] = [
      ["outputConfig.s3OutputPath", ["outputConfig", "s3OutputPath"]],
      ["outputConfig.s3FailurePath", ["outputConfig", "s3FailurePath"]],
      ["outputConfig.notificationConfig.successTopic", ["outputConfig", "notificationConfig", "successTopic"]],
      ["outputConfig.notificationConfig.errorTopic", ["outputConfig", "notificationConfig", "errorTopic"]],
    ];
    const missing = required.filter(([, path]) => text(at(asyncConfig, ...path)) === undefined).map(([name]) => name);
    if (missing.length > 0) {
      reportViolation(`asyncInferenceConfig is missing ${missing.join(", ")}.`);
    }
  }),
};

export const sagemakerGpuInferenceAmi: ResourceValidationPolicy = {
  name: "sagemaker-gpu-inference-ami",
  description:
    "GPU production variants set inferenceAmiVersion, so the host driver supports the image's CUDA 12 " +
    "(the default async driver is CUDA 11).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.sagemaker.EndpointConfiguration, (props, _args, reportViolation) => {
    for (const variant of objectsIn(plain(props).productionVariants)) {
      const instanceType = text(variant.instanceType);
      if (typeof instanceType !== "string" || !GPU_INSTANCE_TYPE.test(instanceType)) {
        continue;
      }
      if (text(variant.inferenceAmiVersion) === undefined) {
        const name = typeof variant.variantName === "string" ? `Variant "${variant.variantName}"` : "A variant";
        reportViolation(
          `${name} on GPU instance ${instanceType} has no inferenceAmiVersion ` +
            '(e.g. "al2-ami-sagemaker-inference-gpu-3-1" for a CUDA 12.4 driver).',
        );
      }
    }
  }),
};

export const sagemakerPolicies = [
  sagemakerModelImageByDigest,
  sagemakerModelDataUncompressed,
  sagemakerModelNetworkIsolation,
  sagemakerAsyncOutputAndNotifications,
  sagemakerGpuInferenceAmi,
];
