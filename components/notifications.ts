import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface NotificationsArgs {
  /** KMS key for the topics; unencrypted (SNS default) when undefined. */
  readonly kmsKeyArn?: string;
  readonly tags?: Record<string, string>;
}

/** The SNS topics SageMaker notifies when an async request succeeds or fails. */
export class Notifications extends pulumi.ComponentResource {
  public readonly successTopicArn: pulumi.Output<string>;
  public readonly errorTopicArn: pulumi.Output<string>;

  constructor(name: string, args: NotificationsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("whisper-async:notifications:Notifications", name, args, opts);
    const topic = (suffix: string) =>
      new aws.sns.Topic(`${name}-${suffix}`, { kmsMasterKeyId: args.kmsKeyArn, tags: args.tags }, { parent: this });
    this.successTopicArn = topic("success").arn;
    this.errorTopicArn = topic("error").arn;
    this.registerOutputs({ successTopicArn: this.successTopicArn, errorTopicArn: this.errorTopicArn });
  }
}
