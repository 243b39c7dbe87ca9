import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MIN_CONTAINER_QUEUE, type StackConfig } from "./config";

/** Production variant name; autoscaling addresses `endpoint/<endpointName>/variant/<VARIANT_NAME>`. */
export const VARIANT_NAME = "whisper";

/**
 * Endpoint name derived from the instance type (`whisper-dev-g5-xlarge`). A new instance type thus means a
 * NEW endpoint (create, then delete the old one) instead of an UpdateEndpoint, which AWS rejects for a variant
 * with a registered scalable target. Max 63 characters, SageMaker's limit.
 */
export function endpointNameFor(prefix: string, instanceType: string): string {
  const raw = `${prefix}-${instanceType.replace(/^ml\./, "")}`;
  return raw
    .replace(/[^a-zA-Z0-9]+/g, "-")
    .slice(0, 63)
    .replace(/-+$/, "");
}

/** Container environment: the server's WHISPER_* settings (see inference/whisper_server/settings.py). */
export function serverEnvironment(config: StackConfig): Record<string, string> {
  return {
    WHISPER_DEVICE: "cuda",
    WHISPER_COMPUTE_TYPE: config.computeType,
    WHISPER_BATCHED: "true",
    WHISPER_BATCH_SIZE: String(config.batchSize),
    WHISPER_BEAM_SIZE: String(config.beamSize),
    // SageMaker may hand an instance this many requests at once; the server must queue all but one.
    WHISPER_MAX_QUEUE: String(Math.max(MIN_CONTAINER_QUEUE, config.maxConcurrentInvocationsPerInstance)),
    WHISPER_MODEL_NAME: config.modelLocalDir ? "local" : `${config.modelRepo}@${config.modelRevision.slice(0, 12)}`,
  };
}

export interface AsyncEndpointArgs {
  readonly config: StackConfig;
  readonly endpointName: string;
  /** Image by digest. */
  readonly imageUri: pulumi.Input<string>;
  /** `s3://.../` prefix of the uncompressed model. */
  readonly modelDataUrl: pulumi.Input<string>;
  readonly executionRoleArn: pulumi.Input<string>;
  /** Resources the Model must wait for (the execution role's policy). */
  readonly modelDependsOn: pulumi.Input<pulumi.Resource>[];
  /** `s3://bucket/async/outputs/`. */
  readonly outputPath: pulumi.Input<string>;
  /** `s3://bucket/async/failures/`. */
  readonly failurePath: pulumi.Input<string>;
  readonly successTopicArn: pulumi.Input<string>;
  readonly errorTopicArn: pulumi.Input<string>;
  readonly tags?: Record<string, string>;
}

/** SageMaker Model, async EndpointConfiguration and Endpoint. */
export class AsyncEndpoint extends pulumi.ComponentResource {
  public readonly endpointName: pulumi.Output<string>;
  public readonly endpointArn: pulumi.Output<string>;
  public readonly variantName: string = VARIANT_NAME;

  constructor(name: string, args: AsyncEndpointArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("whisper-async:endpoint:AsyncEndpoint", name, args, opts);
    const { config } = args;

    const model = new aws.sagemaker.Model(
      `${name}-model`,
      {
        executionRoleArn: args.executionRoleArn,
        enableNetworkIsolation: true,
        primaryContainer: {
          image: args.imageUri,
          mode: "SingleModel",
          modelDataSource: {
            s3DataSources: [{ s3Uri: args.modelDataUrl, s3DataType: "S3Prefix", compressionType: "None" }],
          },
          environment: serverEnvironment(config),
        },
        tags: args.tags,
      },
      { parent: this, dependsOn: args.modelDependsOn },
    );

    const endpointConfig = new aws.sagemaker.EndpointConfiguration(
      `${name}-config`,
      {
        productionVariants: [
          {
            variantName: VARIANT_NAME,
            modelName: model.name,
            instanceType: config.instanceType,
            initialInstanceCount: 1,
            inferenceAmiVersion: config.inferenceAmiVersion,
            containerStartupHealthCheckTimeoutInSeconds: config.startupHealthCheckTimeoutSeconds,
            modelDataDownloadTimeoutInSeconds: config.modelDownloadTimeoutSeconds,
          },
        ],
        asyncInferenceConfig: {
          outputConfig: {
            s3OutputPath: args.outputPath,
            s3FailurePath: args.failurePath,
            kmsKeyId: config.kmsKeyArn,
            notificationConfig: {
              successTopic: args.successTopicArn,
              errorTopic: args.errorTopicArn,
              ...(config.resultInNotifications && {
                includeInferenceResponseIns: ["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"],
              }),
            },
          },
          clientConfig: { maxConcurrentInvocationsPerInstance: config.maxConcurrentInvocationsPerInstance },
        },
        // No volume kmsKeyArn: GPU instances with local NVMe storage (g4dn, g5, g6, p4d ...) reject it; their
        // instance store is encrypted by the hardware. The KMS key still encrypts the async outputs above.
        tags: args.tags,
      },
      { parent: this },
    );

    const endpoint = new aws.sagemaker.Endpoint(
      `${name}-endpoint`,
      { name: args.endpointName, endpointConfigName: endpointConfig.name, tags: args.tags },
      { parent: this },
    );

    this.endpointName = endpoint.name;
    this.endpointArn = endpoint.arn;
    this.registerOutputs({ endpointName: this.endpointName, endpointArn: this.endpointArn });
  }
}
