import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { PROVIDER_ENDPOINT_WAITER_SECONDS } from "./config";
import { shellQuote } from "./model-artifact";
import { scriptCommand } from "./package-root";
import type { VpcAttachment } from "./execution-role";

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

/**
 * The Service Quotas name of the per-account limit on instances of `instanceType` across all endpoints, e.g.
 * `ml.g4dn.xlarge for endpoint usage` (service code `sagemaker`). New accounts often have 0 for GPU types.
 */
export function endpointQuotaNameFor(instanceType: string): string {
  return `${instanceType} for endpoint usage`;
}

/**
 * Instances an update may run at once: a blue/green update starts the new fleet (the config's initial count, 1)
 * while the old one, up to maxInstances, still serves and then drains for the termination wait. Past the quota,
 * the update fails with ResourceLimitExceeded and SageMaker rolls it back.
 */
export function instancesNeededDuringUpdate(maxInstances: number): number {
  return maxInstances + INITIAL_INSTANCE_COUNT;
}

/** Instances an EndpointConfig starts with (on create, and for the new fleet of every update). */
export const INITIAL_INSTANCE_COUNT = 1;

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
  /** Minutes the old fleet keeps running after an update moved traffic off it (blue/green). Required. */
  readonly updateTerminationWaitMinutes: number;
  /** Region of the endpoint, for the check after each update. Required. */
  readonly region: pulumi.Input<string>;
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
  /** VPC subnets and security groups of the instances (network isolation stays on). Defaults to none. */
  readonly vpc?: VpcAttachment;
  readonly tags?: Record<string, string>;
}

/**
 * The endpoint's update policy: blue/green, all traffic at once to the new fleet once it passes its health checks,
 * then the old fleet goes on for `terminationWaitMinutes` so the jobs it holds can finish before it stops. The
 * whole deployment is bounded by the provider's waiter, so SageMaker itself rolls back no later than the `up`
 * would give up on it.
 */
export function deploymentConfigFor(terminationWaitMinutes: number) {
  return {
    blueGreenUpdatePolicy: {
      trafficRoutingConfiguration: { type: "ALL_AT_ONCE", waitIntervalInSeconds: 0 },
      terminationWaitInSeconds: terminationWaitMinutes * 60,
      maximumExecutionTimeoutInSeconds: PROVIDER_ENDPOINT_WAITER_SECONDS,
    },
  };
}

/**
 * Kept by `pulumi destroy` and when replaced: the provider reports an update done when SageMaker rolled it back
 * (its waiter sees InService and ignores FailureReason), and deleting the old Model and EndpointConfiguration then
 * would leave the endpoint serving from a config that no longer exists, failing every later update. Their names are
 * generated (name plus random suffix), so a re-created stack never collides with the ones kept. docs/updates.md,
 * "Teardown", lists and deletes them.
 */
export const KEPT_ON_DELETE = { retainOnDelete: true } as const;

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
        vpcConfig: args.vpc && { subnets: args.vpc.subnetIds, securityGroupIds: args.vpc.securityGroupIds },
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
      { parent: this, dependsOn: args.modelDependsOn, ...KEPT_ON_DELETE },
    );

    const endpointConfig = new aws.sagemaker.EndpointConfiguration(
      `${name}-config`,
      {
        productionVariants: [
          {
            variantName: VARIANT_NAME,
            modelName: model.name,
            instanceType: args.instanceType,
            initialInstanceCount: INITIAL_INSTANCE_COUNT,
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
      { parent: this, ...KEPT_ON_DELETE },
    );

    const endpoint = new aws.sagemaker.Endpoint(
      `${name}-endpoint`,
      {
        name: args.endpointName,
        endpointConfigName: endpointConfig.name,
        deploymentConfig: deploymentConfigFor(args.updateTerminationWaitMinutes),
        tags: args.tags,
      },
      { parent: this },
    );

    // After each create or config change: does SageMaker really run the new config? A rolled-back update ends
    // InService on the old one, which the provider reports as done; this fails the `up` with SageMaker's reason.
    new command.local.Command(
      `${name}-verify`,
      {
        create: pulumi
          .all([endpoint.name, endpointConfig.name])
          .apply(
            ([endpointName, configName]) =>
              `${scriptCommand("scripts/deploy-checks/endpoint-config")} --endpoint ${shellQuote(endpointName)} --config ${shellQuote(configName)}`,
          ),
        environment: { AWS_REGION: args.region },
        triggers: [endpointConfig.name],
      },
      { parent: this, dependsOn: [endpoint] },
    );

    this.endpointName = endpoint.name;
    this.endpointArn = endpoint.arn;
    this.registerOutputs({ endpointName: this.endpointName, endpointArn: this.endpointArn });
  }
}
