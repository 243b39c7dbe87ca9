import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

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

export interface AsyncEndpointArgs {
  readonly endpointName: string;
  /** SageMaker GPU instance type, e.g. `ml.g4dn.xlarge`. Required. */
  readonly instanceType: string;
  /** Inference AMI (the host's NVIDIA driver). Required. */
  readonly inferenceAmiVersion: string;
  /** Seconds the container may take to pass its first /ping. Required. */
  readonly startupHealthCheckTimeoutSeconds: number;
  /** Seconds SageMaker may take to copy the model prefix to the instance. Required. */
  readonly modelDownloadTimeoutSeconds: number;
  /** Requests SageMaker sends one instance at once. Required. */
  readonly maxConcurrentInvocationsPerInstance: number;
  /** Customer KMS key for the async outputs; SageMaker's default encryption when undefined. */
  readonly kmsKeyArn?: string;
  /** Results up to 128 KB inside the SNS notifications. Defaults to false. */
  readonly resultInNotifications?: boolean;
  /** The container's environment (the server's settings), built by the caller. Required. */
  readonly environment: Record<string, string>;
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
          environment: args.environment,
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
            instanceType: args.instanceType,
            initialInstanceCount: 1,
            inferenceAmiVersion: args.inferenceAmiVersion,
            containerStartupHealthCheckTimeoutInSeconds: args.startupHealthCheckTimeoutSeconds,
            modelDataDownloadTimeoutInSeconds: args.modelDownloadTimeoutSeconds,
          },
        ],
        asyncInferenceConfig: {
          outputConfig: {
            s3OutputPath: args.outputPath,
            s3FailurePath: args.failurePath,
            kmsKeyId: args.kmsKeyArn,
            notificationConfig: {
              successTopic: args.successTopicArn,
              errorTopic: args.errorTopicArn,
              ...(args.resultInNotifications && {
                includeInferenceResponseIns: ["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"],
              }),
            },
          },
          clientConfig: { maxConcurrentInvocationsPerInstance: args.maxConcurrentInvocationsPerInstance },
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
