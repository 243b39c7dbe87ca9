/**
 * Reviewed table of the CloudWatch metrics SageMaker publishes for an ASYNCHRONOUS endpoint (and, at its end, the
 * Lambda and SQS metrics of the drop folder): namespace, name and the
 * exact dimension set, each with the AWS page it comes from. An alarm or widget that asks for another dimension set
 * gets no data at all (CloudWatch matches dimension sets exactly), so an alarm on it stays OK forever.
 *
 * Reviewed against:
 * - ASYNC: "Alarms and logs for tracking metrics from asynchronous endpoints". Its "Common Endpoint Metrics" and the
 *   per-request async metrics carry EndpointName + VariantName; the queue metrics carry EndpointName only. The page
 *   says Invocations, InvocationsPerInstance and OverheadLatency are NOT published for async endpoints.
 *   It spells the processed count "InvocationsProcesssed" (three s), in its table and its troubleshooting FAQ; code
 *   that reads the metric back from CloudWatch (dashboards, get_metric_statistics calls in public repositories) uses
 *   "InvocationsProcessed", so the table holds that name and notes the page's spelling.
 * - HOST: "Monitor SageMaker AI with Amazon CloudWatch", endpoint instance metrics in /aws/sagemaker/Endpoints
 *   (EndpointName + VariantName). The async troubleshooting FAQ counts instances with CPUUtilization SampleCount.
 *
 * Adding a metric: add its row with the page it comes from. Metrics that the program itself creates (CloudWatch Logs
 * metric filters in a custom namespace) need no row: the checker takes them from the LogMetricFilter resources.
 */
/** Lambda's function metrics (dimension FunctionName): "Types of metrics for Lambda functions". */
export const LAMBDA = "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html";
/** SQS queue metrics (dimension QueueName): "Available CloudWatch metrics for Amazon SQS". */
export const SQS =
  "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html";
export const ASYNC = "https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-monitor.html";
export const HOST = "https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html";

export interface PublishedMetric {
  readonly namespace: string;
  readonly name: string;
  /** The exact dimension names, in any order. */
  readonly dimensions: readonly string[];
  readonly source: string;
  readonly note?: string;
}

const ENDPOINT = ["EndpointName"] as const;
const VARIANT = ["EndpointName", "VariantName"] as const;

const sagemaker = (name: string, dimensions: readonly string[], note?: string): PublishedMetric => ({
  namespace: "AWS/SageMaker",
  name,
  dimensions,
  source: ASYNC,
  ...(note && { note }),
});
const host = (name: string): PublishedMetric => ({
  namespace: "/aws/sagemaker/Endpoints",
  name,
  dimensions: VARIANT,
  source: HOST,
});

export const PUBLISHED_METRICS: readonly PublishedMetric[] = [
  // Common endpoint metrics that async endpoints publish too.
  sagemaker("Invocation4XXErrors", VARIANT),
  sagemaker("Invocation5XXErrors", VARIANT),
  sagemaker("ModelLatency", VARIANT),
  // The queue, per endpoint.
  sagemaker("ApproximateBacklogSize", ENDPOINT),
  sagemaker("ApproximateBacklogSizePerInstance", ENDPOINT),
  sagemaker("ApproximateAgeOfOldestRequest", ENDPOINT),
  sagemaker("HasBacklogWithoutCapacity", ENDPOINT),
  // Per request, per variant.
  sagemaker("RequestDownloadFailures", VARIANT),
  sagemaker("ResponseUploadFailures", VARIANT),
  sagemaker("NotificationFailures", VARIANT),
  sagemaker("RequestDownloadLatency", VARIANT),
  sagemaker("ResponseUploadLatency", VARIANT),
  sagemaker("ExpiredRequests", VARIANT),
  sagemaker("InvocationFailures", VARIANT),
  sagemaker("InvocationsProcessed", VARIANT, 'the page spells it "InvocationsProcesssed"'),
  sagemaker("TimeInBacklog", VARIANT),
  sagemaker("TotalProcessingTime", VARIANT),
  // Instance metrics.
  host("CPUUtilization"),
  host("MemoryUtilization"),
  host("DiskUtilization"),
  host("GPUUtilization"),
  host("GPUMemoryUtilization"),
  // The drop folder's functions and dead-letter queue (components/drop-folder.ts).
  { namespace: "AWS/Lambda", name: "Invocations", dimensions: ["FunctionName"], source: LAMBDA },
  { namespace: "AWS/Lambda", name: "Errors", dimensions: ["FunctionName"], source: LAMBDA },
  { namespace: "AWS/SQS", name: "ApproximateNumberOfMessagesVisible", dimensions: ["QueueName"], source: SQS },
];
