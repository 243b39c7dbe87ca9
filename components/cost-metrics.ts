import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LOG_METRIC_FILTERS, costMetricsNamespace, endpointLogGroupName } from "./cost-metric-filters";
import { CREATE_BEFORE_DELETE } from "./replacement";

export interface CostMetricsArgs {
  /** Name of the SageMaker endpoint whose container logs are measured. */
  readonly endpointName: string;
  /** Days CloudWatch Logs keeps the endpoint's log lines (one of CloudWatch's allowed retention values). */
  readonly logRetentionDays: number;
  readonly tags?: Record<string, string>;
}

/**
 * The endpoint's log group, created by the program (SageMaker would otherwise create it on the first instance
 * start, keeping lines forever) and the metric filters that turn the server's JSON lines into the cost metrics
 * (see cost-metric-filters.ts for what is measured and why). The group is encrypted by CloudWatch Logs itself,
 * not with `kmsKeyArn`: that key's policy would also have to admit the CloudWatch Logs service.
 */
export class CostMetrics extends pulumi.ComponentResource {
  public readonly logGroupName: pulumi.Output<string>;
  /** The custom namespace of the metrics, `WhisperAsync/<endpointName>`. */
  public readonly namespace: string;
  /** The log group, for resources that must wait for it (the endpoint must not start before it exists). */
  public readonly logGroup: aws.cloudwatch.LogGroup;

  constructor(name: string, args: CostMetricsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("whisper-async:cost:CostMetrics", name, args, opts);
    const child = { parent: this };
    this.namespace = costMetricsNamespace(args.endpointName);

    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: endpointLogGroupName(args.endpointName),
        retentionInDays: args.logRetentionDays,
        tags: args.tags,
      },
      { ...child, ...CREATE_BEFORE_DELETE },
    );
    for (const filter of LOG_METRIC_FILTERS) {
      new aws.cloudwatch.LogMetricFilter(
        `${name}-${filter.metricName}`,
        {
          logGroupName: this.logGroup.name,
          pattern: filter.pattern,
          metricTransformation: {
            name: filter.metricName,
            namespace: this.namespace,
            value: filter.value,
            unit: filter.unit,
          },
        },
        child,
      );
    }

    this.logGroupName = this.logGroup.name;
    this.registerOutputs({ logGroupName: this.logGroupName, namespace: this.namespace });
  }
}
