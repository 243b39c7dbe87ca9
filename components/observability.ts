import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENDPOINT_INSTANCE_NAMESPACE, INSTANCE_COUNT_METRIC } from "./cost-metric-filters";
import { costWidgets } from "./cost-widgets";
import { dropFolderWidgets } from "./drop-folder-widgets";
import { CREATE_BEFORE_DELETE } from "./replacement";
import { SAGEMAKER_NAMESPACE } from "./scale-to-zero";

/**
 * Per-variant async metrics (dimensions EndpointName + VariantName) whose sum counts requests the SERVICE failed:
 * the container answered 5xx, or SageMaker could not read the input, write the result or notify. Client errors
 * (a file that is no audio: 4xx) count in InvocationFailures too, so alarming on that would page for bad uploads.
 */
export const SERVICE_FAILURE_METRICS = [
  "Invocation5XXErrors",
  "RequestDownloadFailures",
  "ResponseUploadFailures",
  "NotificationFailures",
] as const;

export interface ObservabilityArgs {
  readonly endpointName: pulumi.Input<string>;
  readonly variantName: string;
  readonly region: pulumi.Input<string>;
  /** Topic the alarms notify. */
  readonly alarmTopicArn: pulumi.Input<string>;
  /** Age in minutes of the oldest queued request that counts as a stuck backlog. */
  readonly oldestRequestAlarmMinutes: number;
  /** Namespace of the metrics derived from the endpoint's logs (see CostMetrics). */
  readonly costNamespace: string;
  /** US dollars per instance-hour, for the cost widgets. */
  readonly instancePricePerHour: number;
  /** The drop folder's functions and dead-letter queue, for its dashboard row; no row when undefined. */
  readonly dropFolder?: pulumi.Input<{
    submitFunctionName: pulumi.Input<string>;
    deliverFunctionName: pulumi.Input<string>;
    deadLetterQueueName: pulumi.Input<string>;
  }>;
  readonly tags?: Record<string, string>;
}

/** Dashboard widget body for the CloudWatch dashboard JSON. */
function widget(title: string, metrics: unknown[][], region: string, x: number, y: number, stat = "Maximum") {
  return { type: "metric", x, y, width: 12, height: 6, properties: { title, metrics, region, stat, period: 60 } };
}

/** CloudWatch dashboard of the async endpoint and alarms on failures and on a stuck backlog. */
export class Observability extends pulumi.ComponentResource {
  public readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: ObservabilityArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("whisper-async:observability:Observability", name, args, opts);
    const child = { parent: this };
    const dimensions = { EndpointName: args.endpointName };
    const variantDimensions = { EndpointName: args.endpointName, VariantName: args.variantName };

    const dashboardInputs = pulumi.all([args.endpointName, args.region, args.dropFolder]);
    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: pulumi.interpolate`${args.endpointName}`,
        dashboardBody: dashboardInputs.apply(([endpoint, region, drop]) => {
          // The queue metrics belong to the endpoint; the per-request ones to the variant.
          const async = (metric: string) => [SAGEMAKER_NAMESPACE, metric, "EndpointName", endpoint];
          const variant = (metric: string) => [
            SAGEMAKER_NAMESPACE,
            metric,
            "EndpointName",
            endpoint,
            "VariantName",
            args.variantName,
          ];
          const instances = [
            ENDPOINT_INSTANCE_NAMESPACE,
            INSTANCE_COUNT_METRIC,
            "EndpointName",
            endpoint,
            "VariantName",
            args.variantName,
            { stat: "SampleCount", label: "instances (CPUUtilization samples per minute)" },
          ];
          return JSON.stringify({
            widgets: [
              widget(
                "Backlog",
                [async("ApproximateBacklogSize"), async("ApproximateBacklogSizePerInstance")],
                region,
                0,
                0,
              ),
              widget("Age of oldest request (s)", [async("ApproximateAgeOfOldestRequest")], region, 12, 0),
              widget("Instances", [instances, async("HasBacklogWithoutCapacity")], region, 0, 6),
              widget(
                "Invocations",
                [variant("InvocationsProcessed"), variant("InvocationFailures"), variant("Invocation5XXErrors")],
                region,
                12,
                6,
                "Sum",
              ),
              widget("Model latency (us)", [variant("ModelLatency")], region, 0, 12, "Average"),
              ...costWidgets({
                endpointName: endpoint,
                variantName: args.variantName,
                namespace: args.costNamespace,
                pricePerHour: args.instancePricePerHour,
                region,
                y: 18,
              }),
              ...(drop ? dropFolderWidgets({ ...drop, region, y: 30 }) : []),
            ],
          });
        }),
      },
      { ...child, ...CREATE_BEFORE_DELETE },
    );

    const failureQueries = SERVICE_FAILURE_METRICS.map((metricName, i) => ({
      id: `f${i}`,
      returnData: false,
      metric: { namespace: SAGEMAKER_NAMESPACE, metricName, dimensions: variantDimensions, stat: "Sum", period: 300 },
    }));
    new aws.cloudwatch.MetricAlarm(
      `${name}-failures`,
      {
        alarmDescription:
          "The service failed requests: 5xx from the container, or input download, result upload or notification " +
          "failures (see the failure prefix and the endpoint logs).",
        metricQueries: [
          ...failureQueries,
          {
            id: "failures",
            expression: failureQueries.map((q) => `FILL(${q.id}, 0)`).join(" + "),
            label: "requests the service failed",
            returnData: true,
          },
        ],
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [args.alarmTopicArn],
        tags: args.tags,
      },
      child,
    );
    new aws.cloudwatch.MetricAlarm(
      `${name}-stuck-backlog`,
      {
        alarmDescription: `The oldest queued request is older than ${args.oldestRequestAlarmMinutes} minutes.`,
        namespace: SAGEMAKER_NAMESPACE,
        metricName: "ApproximateAgeOfOldestRequest",
        dimensions,
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 5,
        threshold: args.oldestRequestAlarmMinutes * 60,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [args.alarmTopicArn],
        okActions: [args.alarmTopicArn],
        tags: args.tags,
      },
      child,
    );

    this.dashboardUrl = pulumi.interpolate`https://${args.region}.console.aws.amazon.com/cloudwatch/home?region=${args.region}#dashboards:name=${dashboard.dashboardName}`;
    this.registerOutputs({ dashboardUrl: this.dashboardUrl });
  }
}
