import type * as pulumi from "@pulumi/pulumi";

/**
 * The arguments of {@link WhisperService}, flat and all optional: `new WhisperService("speech", {})` deploys the
 * pinned Whisper large-v3 on one scale-to-zero ml.g4dn.xlarge endpoint. Every default is in `DEFAULTS`
 * (components/config.ts) and every check in `resolveServiceSettings`, shared with this repository's stack config
 * (`whisper-async:<argument>`), so a bad value fails the preview with a message that names the argument.
 *
 * The settings that decide which resources exist and what they are named (instance type, counts, callers, model
 * source, speaker labels ...) are plain values, known when the program runs; what only travels into a resource
 * (an existing bucket, topics, subnets and security groups) may be any `pulumi.Input`, such as another resource's
 * output.
 */
export interface WhisperServiceArgs {
  /**
   * SageMaker GPU instance type, of family g4dn, g5, g6, g6e, p3, p4d, p4de, p5 or p5e. Defaults to
   * "ml.g4dn.xlarge".
   */
  readonly instanceType?: string;
  /** Fewest instances the endpoint keeps; 0 lets it scale to zero. Defaults to 0. */
  readonly minInstances?: number;
  /** Most instances the endpoint scales out to, 1 to 100. Defaults to 2. */
  readonly maxInstances?: number;
  /** Minutes with an empty backlog before the endpoint scales in to zero, 1 to 1440. Defaults to 15. */
  readonly idleMinutes?: number;
  /** Queued + running requests per instance that the backlog policy aims for, 1 to 1000. Defaults to 4. */
  readonly backlogTargetPerInstance?: number;
  /** Requests SageMaker hands one instance at once (the server queues beyond the one running). Defaults to 4. */
  readonly maxConcurrentInvocationsPerInstance?: number;
  /**
   * Hugging Face repository of a CTranslate2 Whisper model, `<owner>/<name>`. Defaults to
   * "Systran/faster-whisper-large-v3".
   */
  readonly modelRepo?: string;
  /** Pinned 40-hex commit of modelRepo. Defaults to "edaa852ec7e145841d8ffdb056a99866b5f0a478" (large-v3). */
  readonly modelRevision?: string;
  /** Local directory with a CTranslate2 model to upload instead of modelRepo/modelRevision. Defaults to none. */
  readonly modelLocalDir?: string;
  /**
   * WHISPER_COMPUTE_TYPE: "float16", "int8_float16", "int8" or "float32" (a string, not a union of the four: the
   * component package's schema has no unions). Defaults to the server's (float16 on a GPU).
   */
  readonly computeType?: string;
  /** WHISPER_BATCH_SIZE, chunks decoded together on the GPU. Defaults to the server's. */
  readonly batchSize?: number;
  /** WHISPER_BEAM_SIZE, the default beam width. Defaults to the server's. */
  readonly beamSize?: number;
  /** WHISPER_CHUNK_SECONDS, the longest stretch of speech decoded in one window. Defaults to the server's (15). */
  readonly chunkSeconds?: number;
  /** WHISPER_MIN_WINDOW_SECONDS, the smallest encoder window. Defaults to the server's (15). */
  readonly minWindowSeconds?: number;
  /** Days after which request data (inputs, outputs, failures) expires, 1 to 3650. Defaults to 7. */
  readonly retentionDays?: number;
  /**
   * ARN of your KMS key for the bucket, the async outputs and the topics. Defaults to none: SSE-S3 (AES256) and
   * AWS-managed keys.
   */
  readonly kmsKeyArn?: string;
  /** ARN of an SNS topic for the operational alarms. Defaults to the service's error topic. */
  readonly alarmTopicArn?: string;
  /**
   * Confirms that kmsKeyArn's key policy lets cloudwatch.amazonaws.com use the key, so alarms can reach the
   * encrypted error topic. Defaults to false: with kmsKeyArn and no alarmTopicArn the args are refused.
   */
  readonly kmsKeyAllowsCloudWatch?: boolean;
  /**
   * Names of the apps that submit jobs, each with its own policy limited to `async/inputs/<caller>/`. Defaults to
   * none: one shared client policy.
   */
  readonly callers?: string[];
  /** Put results up to 128 KB into the success and error notifications. Defaults to false. */
  readonly resultInNotifications?: boolean;
  /** Speaker labels: "off", "on-request" (a request asks) or "always". Defaults to "off". */
  readonly speakerLabels?: string;
  /** SageMaker inference AMI (the host's NVIDIA driver). Defaults to "al2-ami-sagemaker-inference-gpu-3-1". */
  readonly inferenceAmiVersion?: string;
  /** Let `pulumi destroy` delete the non-empty bucket and ECR repository. Defaults to false. */
  readonly forceDestroy?: boolean;
  /** ECR images the repository keeps. Defaults to 5. */
  readonly imagesToKeep?: number;
  /** Seconds the container may take to pass its first /ping, 60 to 3600. Defaults to 900. */
  readonly startupHealthCheckTimeoutSeconds?: number;
  /** Seconds SageMaker may take to copy the model to the instance, 60 to 3600. Defaults to 900. */
  readonly modelDownloadTimeoutSeconds?: number;
  /** Minutes the old fleet drains its jobs after a blue/green update, 0 to 60. Defaults to 20. */
  readonly updateTerminationWaitMinutes?: number;
  /** Minutes the oldest queued request may wait before the stuck-backlog alarm fires. Defaults to 30. */
  readonly oldestRequestAlarmMinutes?: number;
  /** Tags put on every taggable resource. Defaults to none. */
  readonly tags?: Record<string, string>;
  /**
   * US dollars per instance-hour for the cost figures. Defaults to the us-east-1 on-demand price of instanceType
   * where one is known (ml.g4dn.xlarge, ml.g5.xlarge, ml.p3.2xlarge); required for any other type.
   */
  readonly instancePricePerHour?: number;
  /** Days CloudWatch Logs keeps the endpoint's logs (a CloudWatch retention value). Defaults to 30. */
  readonly logRetentionDays?: number;
  /**
   * Name of an existing S3 bucket to keep the model (`models/`) and the requests (`async/`) in. Defaults to none:
   * the component creates a private, encrypted, TLS-only bucket whose request data expires after retentionDays;
   * with yours, encryption, TLS-only access and expiry are your bucket's own rules and retentionDays is not used.
   */
  readonly bucketName?: pulumi.Input<string>;
  /**
   * ARN of an existing SNS topic SageMaker notifies of each finished job; give errorTopicArn with it. Defaults to
   * none: the component creates both topics.
   */
  readonly successTopicArn?: pulumi.Input<string>;
  /**
   * ARN of an existing SNS topic SageMaker notifies of each failed job (and the alarms, unless alarmTopicArn is
   * set); give successTopicArn with it. Defaults to none: the component creates both topics.
   */
  readonly errorTopicArn?: pulumi.Input<string>;
  /**
   * IDs of the VPC subnets the endpoint's instances are attached to, so the model and the requests travel through
   * your VPC (it needs an S3 gateway endpoint); give vpcSecurityGroupIds with them. Network isolation stays on: the
   * container itself still reaches nothing. Defaults to none: SageMaker's own network.
   */
  readonly vpcSubnetIds?: pulumi.Input<string>[];
  /** IDs of the security groups of those attachments; give vpcSubnetIds with them. Defaults to none. */
  readonly vpcSecurityGroupIds?: pulumi.Input<string>[];
  /**
   * Start of the endpoint's name; the instance type is appended (`<prefix>-g4dn-xlarge`, at most 63 characters).
   * Defaults to `<name>-<stack>`, so two services in one program, or one program in two stacks, never collide.
   */
  readonly endpointNamePrefix?: string;
  /**
   * Environment that gives the model upload (a local command) the identity of your AWS provider. Defaults to
   * none: the AWS SDK's default chain in the shell that runs `pulumi up`.
   */
  readonly uploadIdentityEnvironment?: Record<string, pulumi.Input<string>>;
}
