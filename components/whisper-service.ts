import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AsyncEndpoint, endpointNameFor, endpointQuotaNameFor, instancesNeededDuringUpdate } from "./async-endpoint";
import { ClientPolicy } from "./client-policy";
import { ConfigError, resolveServiceSettings, type StackConfig } from "./config";
import { CostMetrics } from "./cost-metrics";
import { ExecutionRole } from "./execution-role";
import { InferenceImage } from "./inference-image";
import { ModelArtifact } from "./model-artifact";
import { Notifications } from "./notifications";
import { Observability } from "./observability";
import { ScaleToZero } from "./scale-to-zero";
import { serverEnvironment } from "./server-environment";
import type { WhisperServiceArgs } from "./service-args";
import { PREFIXES, Storage, existingBucket } from "./storage";

export type { WhisperServiceArgs } from "./service-args";

/**
 * The component's type token: `<package>:index:<Class>`, the package being this npm package's name, as the
 * component provider host (`pulumi package add`) names it.
 */
export const WHISPER_SERVICE_TYPE = "whisper-sagemaker-async:index:WhisperService";

/** The token stacks created before the component was packaged recorded; the alias keeps their URNs. */
const FORMER_WHISPER_SERVICE_TYPE = "whisper-async:index:WhisperService";

/**
 * The whole service: image, model, storage, topics, role, async endpoint, autoscaling, observability, client policy.
 * Usable from any Pulumi program: see docs/component.md.
 */
export class WhisperService extends pulumi.ComponentResource {
  /** Name of the SageMaker async endpoint (`InvokeEndpointAsync`'s EndpointName). */
  public readonly endpointName: pulumi.Output<string>;
  /** Bucket of the requests: inputs, outputs, failures and the model. */
  public readonly bucketName: pulumi.Output<string>;
  /** Key prefix the audio is uploaded under (`async/inputs/`). */
  public readonly inputPrefix: string = PREFIXES.inputs;
  /** Key prefix SageMaker writes results under. */
  public readonly outputPrefix: string = PREFIXES.outputs;
  /** Key prefix SageMaker writes failures under. */
  public readonly failurePrefix: string = PREFIXES.failures;
  /** SNS topic told of each finished job. */
  public readonly successTopicArn: pulumi.Output<string>;
  /** SNS topic told of each failed job (and, unless alarmTopicArn is set, of the alarms). */
  public readonly errorTopicArn: pulumi.Output<string>;
  /** Console URL of the CloudWatch dashboard. */
  public readonly dashboardUrl: pulumi.Output<string>;
  /** IAM policy for an app that submits jobs and reads their results. */
  public readonly clientPolicyArn: pulumi.Output<string>;
  /** Policy ARN of each configured caller (empty without `callers`). */
  public readonly callerPolicyArns: pulumi.Output<Record<string, string>>;
  /** The inference image, by digest. */
  public readonly imageUri: pulumi.Output<string>;
  /** S3 prefix of the uploaded model. */
  public readonly modelDataUrl: pulumi.Output<string>;
  /** Production variant of the endpoint (a dimension of its host metrics; read by `npm run cost`). */
  public readonly variantName: string;
  /** US dollars per instance-hour the cost figures use (read by `npm run cost`). */
  public readonly instancePricePerHour: number;
  /** The Service Quotas quota the endpoint's instances count against (docs/updates.md, "Quota"). */
  public readonly endpointQuotaName: string;
  /** Instances of that type the endpoint may run at once: maxInstances, plus the new fleet's one during an update. */
  public readonly instancesNeededDuringUpdate: number;

  constructor(name: string, args: WhisperServiceArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super(WHISPER_SERVICE_TYPE, name, args, {
      ...opts,
      aliases: [...(opts.aliases ?? []), { type: FORMER_WHISPER_SERVICE_TYPE }],
    });
    const config = settingsOf(args, this);
    const tags = config.tags;
    const child = { parent: this };
    const region = aws.getRegionOutput({}, child).region;
    const endpointName = endpointNameFor(
      args.endpointNamePrefix ?? `${name}-${pulumi.getStack()}`,
      config.instanceType,
    );

    const storage =
      args.bucketName === undefined
        ? new Storage(
            `${name}-storage`,
            {
              retentionDays: config.retentionDays,
              kmsKeyArn: config.kmsKeyArn,
              forceDestroy: config.forceDestroy,
              tags,
            },
            child,
          )
        : existingBucket(args.bucketName, child);
    const topics =
      args.successTopicArn === undefined || args.errorTopicArn === undefined
        ? new Notifications(`${name}-topics`, { kmsKeyArn: config.kmsKeyArn, tags }, child)
        : { successTopicArn: pulumi.output(args.successTopicArn), errorTopicArn: pulumi.output(args.errorTopicArn) };
    const vpc =
      args.vpcSubnetIds === undefined || args.vpcSecurityGroupIds === undefined
        ? undefined
        : { subnetIds: args.vpcSubnetIds, securityGroupIds: args.vpcSecurityGroupIds };
    const image = new InferenceImage(
      `${name}-image`,
      { imagesToKeep: config.imagesToKeep, forceDelete: config.forceDestroy, region, tags },
      child,
    );
    const model = new ModelArtifact(
      `${name}-model`,
      {
        bucketName: storage.bucketName,
        prefix: PREFIXES.models,
        repo: config.modelRepo,
        revision: config.modelRevision,
        localDir: config.modelLocalDir,
        diarization: config.speakerLabels !== "off",
        region,
        identityEnvironment: args.uploadIdentityEnvironment,
      },
      child,
    );
    const role = new ExecutionRole(
      `${name}-exec`,
      {
        bucketArn: storage.bucketArn,
        repositoryArn: image.repositoryArn,
        successTopicArn: topics.successTopicArn,
        errorTopicArn: topics.errorTopicArn,
        endpointName,
        kmsKeyArn: config.kmsKeyArn,
        vpc,
        tags,
      },
      child,
    );
    const costMetrics = new CostMetrics(
      `${name}-cost`,
      { endpointName, logRetentionDays: config.logRetentionDays, tags },
      child,
    );
    const s3 = (prefix: string) => pulumi.interpolate`s3://${storage.bucketName}/${prefix}`;
    const endpoint = new AsyncEndpoint(
      `${name}-endpoint`,
      {
        endpointName,
        instanceType: config.instanceType,
        inferenceAmiVersion: config.inferenceAmiVersion,
        startupHealthCheckTimeoutSeconds: config.startupHealthCheckTimeoutSeconds,
        modelDownloadTimeoutSeconds: config.modelDownloadTimeoutSeconds,
        updateTerminationWaitMinutes: config.updateTerminationWaitMinutes,
        region,
        maxConcurrentInvocationsPerInstance: config.maxConcurrentInvocationsPerInstance,
        kmsKeyArn: config.kmsKeyArn,
        resultInNotifications: config.resultInNotifications,
        environment: serverEnvironment(config),
        imageUri: image.imageUri,
        modelDataUrl: model.modelDataUrl,
        executionRoleArn: role.roleArn,
        // The log group must exist before an instance starts, or SageMaker creates it (without retention).
        modelDependsOn: [role.policy, costMetrics.logGroup],
        outputPath: s3(PREFIXES.outputs),
        failurePath: s3(PREFIXES.failures),
        successTopicArn: topics.successTopicArn,
        errorTopicArn: topics.errorTopicArn,
        vpc,
        tags,
      },
      child,
    );
    new ScaleToZero(
      `${name}-scaling`,
      {
        endpointName: endpoint.endpointName,
        variantName: endpoint.variantName,
        minInstances: config.minInstances,
        maxInstances: config.maxInstances,
        idleMinutes: config.idleMinutes,
        backlogTargetPerInstance: config.backlogTargetPerInstance,
        tags,
      },
      child,
    );
    const observability = new Observability(
      `${name}-observability`,
      {
        endpointName: endpoint.endpointName,
        variantName: endpoint.variantName,
        region,
        alarmTopicArn: config.alarmTopicArn ?? topics.errorTopicArn,
        oldestRequestAlarmMinutes: config.oldestRequestAlarmMinutes,
        costNamespace: costMetrics.namespace,
        instancePricePerHour: config.instancePricePerHour,
        tags,
      },
      child,
    );
    const client = new ClientPolicy(
      `${name}-client`,
      { endpointArn: endpoint.endpointArn, bucketArn: storage.bucketArn, kmsKeyArn: config.kmsKeyArn, tags },
      child,
    );
    const callerPolicies = config.callers.map((caller) => {
      const policy = new ClientPolicy(
        `${name}-caller-${caller}`,
        { endpointArn: endpoint.endpointArn, bucketArn: storage.bucketArn, kmsKeyArn: config.kmsKeyArn, caller, tags },
        child,
      );
      return policy.policyArn.apply((arn) => [caller, arn] as const);
    });

    this.endpointName = endpoint.endpointName;
    this.bucketName = storage.bucketName;
    this.successTopicArn = topics.successTopicArn;
    this.errorTopicArn = topics.errorTopicArn;
    this.dashboardUrl = observability.dashboardUrl;
    this.clientPolicyArn = client.policyArn;
    this.callerPolicyArns = pulumi.all(callerPolicies).apply((pairs) => Object.fromEntries(pairs));
    this.imageUri = image.imageUri;
    this.modelDataUrl = model.modelDataUrl;
    this.variantName = endpoint.variantName;
    this.instancePricePerHour = config.instancePricePerHour;
    this.endpointQuotaName = endpointQuotaNameFor(config.instanceType);
    this.instancesNeededDuringUpdate = instancesNeededDuringUpdate(config.maxInstances);
    this.registerOutputs({
      endpointName: this.endpointName,
      bucketName: this.bucketName,
      successTopicArn: this.successTopicArn,
      errorTopicArn: this.errorTopicArn,
      dashboardUrl: this.dashboardUrl,
      clientPolicyArn: this.clientPolicyArn,
      callerPolicyArns: this.callerPolicyArns,
      imageUri: this.imageUri,
      modelDataUrl: this.modelDataUrl,
      variantName: this.variantName,
      instancePricePerHour: this.instancePricePerHour,
      endpointQuotaName: this.endpointQuotaName,
      instancesNeededDuringUpdate: this.instancesNeededDuringUpdate,
    });
  }
}

/** The args checked and completed with their defaults; a bad one fails the preview naming the argument. */
function settingsOf(args: WhisperServiceArgs, service: WhisperService): StackConfig {
  try {
    return resolveServiceSettings(args);
  } catch (e) {
    if (e instanceof ConfigError) throw new pulumi.ResourceError(e.message, service, true);
    throw e;
  }
}
