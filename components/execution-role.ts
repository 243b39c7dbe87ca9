import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PREFIXES } from "./storage";

export interface ExecutionRoleArgs {
  readonly bucketArn: pulumi.Input<string>;
  readonly repositoryArn: pulumi.Input<string>;
  readonly successTopicArn: pulumi.Input<string>;
  readonly errorTopicArn: pulumi.Input<string>;
  /** Endpoint name whose log groups the role may write. */
  readonly endpointName: pulumi.Input<string>;
  /** Customer KMS key used by the bucket/topics; no KMS statement when undefined. */
  readonly kmsKeyArn?: string;
  /** The VPC attachment of the endpoint's instances, whose network interfaces SageMaker manages. Defaults to none. */
  readonly vpc?: VpcAttachment;
  readonly tags?: Record<string, string>;
}

/** Subnets and security groups a Model's instances are attached to (its VpcConfig). */
export interface VpcAttachment {
  readonly subnetIds: pulumi.Input<string>[];
  readonly securityGroupIds: pulumi.Input<string>[];
}

/**
 * What SageMaker needs to attach a Model's instances to a VPC: managing network interfaces in those subnets and
 * security groups (scoped to their ARNs) and describing the network (EC2 Describe* actions take no resource).
 */
export function vpcStatements(r: {
  ec2ArnPrefix: string;
  subnetIds: string[];
  securityGroupIds: string[];
}): Statement[] {
  return [
    {
      Sid: "ManageVpcNetworkInterfaces",
      Effect: "Allow",
      Action: [
        "ec2:CreateNetworkInterface",
        "ec2:CreateNetworkInterfacePermission",
        "ec2:DeleteNetworkInterface",
        "ec2:DeleteNetworkInterfacePermission",
      ],
      Resource: [
        `${r.ec2ArnPrefix}:network-interface/*`,
        ...r.subnetIds.map((id) => `${r.ec2ArnPrefix}:subnet/${id}`),
        ...r.securityGroupIds.map((id) => `${r.ec2ArnPrefix}:security-group/${id}`),
      ],
    },
    {
      Sid: "DescribeVpcNetwork",
      Effect: "Allow",
      Action: [
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
      ],
      Resource: "*",
    },
  ];
}

/** IAM statement as put in the policy document (exported for the tests' per-statement checks). */
export interface Statement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** Use of the customer KMS key that encrypts the bucket; none without a key. */
export function kmsStatements(kmsKeyArn: string | undefined): Statement[] {
  if (!kmsKeyArn) return [];
  return [
    { Sid: "UseBucketKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: kmsKeyArn },
  ];
}

/** Least-privilege statements of the SageMaker execution role; `Resource: "*"` only where AWS allows nothing else. */
export function executionStatements(r: {
  bucketArn: string;
  repositoryArn: string;
  successTopicArn: string;
  errorTopicArn: string;
  logGroupArnPrefix: string;
  kmsKeyArn?: string;
}): Statement[] {
  const statements: Statement[] = [
    {
      Sid: "ReadModelAndInputs",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [`${r.bucketArn}/${PREFIXES.models}*`, `${r.bucketArn}/${PREFIXES.inputs}*`],
    },
    {
      Sid: "ListModelPrefix",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: r.bucketArn,
      Condition: { StringLike: { "s3:prefix": [`${PREFIXES.models}*`, `${PREFIXES.inputs}*`] } },
    },
    {
      Sid: "WriteOutputsAndFailures",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: [`${r.bucketArn}/${PREFIXES.outputs}*`, `${r.bucketArn}/${PREFIXES.failures}*`],
    },
    {
      Sid: "PullInferenceImage",
      Effect: "Allow",
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      Resource: r.repositoryArn,
    },
    // GetAuthorizationToken is account-wide: AWS accepts no narrower resource.
    { Sid: "EcrAuthToken", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
    {
      Sid: "NotifyCompletion",
      Effect: "Allow",
      Action: ["sns:Publish"],
      Resource: [r.successTopicArn, r.errorTopicArn],
    },
    {
      Sid: "WriteEndpointLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      Resource: [r.logGroupArnPrefix, `${r.logGroupArnPrefix}:*`],
    },
    // PutMetricData has no resource type; the namespace condition is the narrowing AWS offers.
    {
      Sid: "PublishSageMakerMetrics",
      Effect: "Allow",
      Action: ["cloudwatch:PutMetricData"],
      Resource: "*",
      Condition: { StringLike: { "cloudwatch:namespace": ["AWS/SageMaker", "/aws/sagemaker/*"] } },
    },
  ];
  return [...statements, ...kmsStatements(r.kmsKeyArn)];
}

/**
 * Who may assume the role: SageMaker, and only on behalf of this account's SageMaker resources in this region
 * (cross-service confused deputy prevention: SageMaker documents `aws:SourceAccount` and `aws:SourceArn` for the
 * roles its inference resources assume: https://docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html).
 * Without them any SageMaker customer naming this role's ARN would be stopped only by SageMaker's own checks.
 */
export function trustPolicy(r: { accountId: string; partition: string; region: string }): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "sagemaker.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": r.accountId },
          ArnLike: { "aws:SourceArn": `arn:${r.partition}:sagemaker:${r.region}:${r.accountId}:*` },
        },
      },
    ],
  };
}

/**
 * The role SageMaker assumes to pull the image, read the model and inputs, write results, notify and log.
 * Whoever creates a Model with {@link roleArn} should depend on {@link policy} (the service does, through
 * `modelDependsOn`), so the Model never starts before its permissions exist.
 */
export class ExecutionRole extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;
  public readonly policy: aws.iam.RolePolicy;

  constructor(name: string, args: ExecutionRoleArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("whisper-async:iam:ExecutionRole", name, args, opts);

    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: pulumi
          .all([identity.accountId, partition.partition, region.region])
          .apply(([accountId, partitionName, regionName]) =>
            JSON.stringify(trustPolicy({ accountId, partition: partitionName, region: regionName })),
          ),
        tags: args.tags,
      },
      { parent: this },
    );
    const vpcArnPrefix = pulumi.interpolate`arn:${partition.partition}:ec2:${region.region}:${identity.accountId}`;
    const logGroupArnPrefix = pulumi.interpolate`arn:${partition.partition}:logs:${region.region}:${identity.accountId}:log-group:/aws/sagemaker/Endpoints/${args.endpointName}`;

    this.policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: pulumi
          .all([
            args.bucketArn,
            args.repositoryArn,
            args.successTopicArn,
            args.errorTopicArn,
            logGroupArnPrefix,
            vpcArnPrefix,
            pulumi.all(args.vpc?.subnetIds ?? []),
            pulumi.all(args.vpc?.securityGroupIds ?? []),
          ])
          .apply(
            ([
              bucketArn,
              repositoryArn,
              successTopicArn,
              errorTopicArn,
              logPrefix,
              ec2ArnPrefix,
              subnetIds,
              securityGroupIds,
            ]) =>
              JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                  ...executionStatements({
                    bucketArn,
                    repositoryArn,
                    successTopicArn,
                    errorTopicArn,
                    logGroupArnPrefix: logPrefix,
                    kmsKeyArn: args.kmsKeyArn,
                  }),
                  ...(args.vpc ? vpcStatements({ ec2ArnPrefix, subnetIds, securityGroupIds }) : []),
                ],
              }),
          ),
      },
      { parent: this },
    );

    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
