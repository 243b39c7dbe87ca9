import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Key prefixes inside the one bucket (no leading slash, trailing slash). */
export const PREFIXES = {
  models: "models/",
  inputs: "async/inputs/",
  outputs: "async/outputs/",
  failures: "async/failures/",
  /** Parent of the request data that the lifecycle rule expires. */
  requests: "async/",
} as const;

export interface StorageArgs {
  /** Days after which objects under async/ expire. Required (the config default is 7). */
  readonly retentionDays: number;
  /** Customer KMS key for SSE-KMS; SSE-S3 (AES256) when undefined. */
  readonly kmsKeyArn?: string;
  /** Let destroy empty the bucket. Defaults to false. */
  readonly forceDestroy?: boolean;
  readonly tags?: Record<string, string>;
}

/**
 * One private bucket for models and async request data: public access blocked, bucket-owner-enforced,
 * encrypted, TLS-only, request data expiring after `retentionDays`. One bucket keeps the policy and the
 * client grant in one place; prefixes separate what the execution role may read from what it may write.
 */
export class Storage extends pulumi.ComponentResource {
  public readonly bucket: aws.s3.Bucket;
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: StorageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("whisper-async:storage:Storage", name, args, opts);
    const child = { parent: this };

    this.bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      { forceDestroy: args.forceDestroy ?? false, tags: args.tags },
      child,
    );
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;

    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: this.bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-sse`,
      {
        bucket: this.bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: args.kmsKeyArn
              ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }
              : { sseAlgorithm: "AES256" },
            bucketKeyEnabled: args.kmsKeyArn ? true : undefined,
          },
        ],
      },
      child,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: this.bucket.id,
        rules: [
          {
            id: "expire-async-request-data",
            status: "Enabled",
            filter: { prefix: PREFIXES.requests },
            expiration: { days: args.retentionDays },
          },
          {
            id: "abort-incomplete-multipart-uploads",
            status: "Enabled",
            filter: { prefix: "" },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      child,
    );
    // The policy waits for the public access block so S3 never sees a policy on an unguarded bucket.
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      {
        bucket: this.bucket.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      },
      { parent: this, dependsOn: [publicAccessBlock] },
    );

    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}

/**
 * A bucket the program brings instead of {@link Storage}: the service keeps its model and requests under the same
 * {@link PREFIXES}; public access, encryption, TLS-only access and expiry stay the owner's rules.
 */
export function existingBucket(
  bucketName: pulumi.Input<string>,
  opts: pulumi.InvokeOutputOptions,
): { bucketName: pulumi.Output<string>; bucketArn: pulumi.Output<string> } {
  const partition = aws.getPartitionOutput({}, opts).partition;
  return {
    bucketName: pulumi.output(bucketName),
    bucketArn: pulumi.interpolate`arn:${partition}:s3:::${bucketName}`,
  };
}
