/**
 * What the server's log lines are turned into: the CloudWatch Logs metric filters behind the cost figures, and
 * the names the dashboard, the `npm run cost` CLI and the tests share. Pure data (no Pulumi), so the CLI can
 * import it without loading the provider.
 *
 * The container cannot call AWS (network isolation), but SageMaker ships its stdout to the endpoint's log group,
 * and the server writes one JSON line per invocation (`"message": "invocation"`, with `audio_seconds`,
 * `processing_seconds`, `queue_seconds`, `status`) and one when the model is ready (`"message": "ready"`, with
 * `load_seconds`); see inference/whisper_server/app.py. Metric filters count and sum those fields.
 *
 * Instance time is NOT taken from the logs: AWS documents that the 1-minute SampleCount of the endpoint's
 * `CPUUtilization` (namespace `/aws/sagemaker/Endpoints`, dimensions EndpointName + VariantName) equals the
 * number of running instances (SageMaker developer guide, "Asynchronous inference > Troubleshooting", the FAQ on
 * finding the instance count; read 2026-11-25). Each running instance publishes one sample a minute from the
 * moment it is up, so the samples summed over any period are the instance-minutes billed in it, including the
 * model download and load before the container's first log line, which a heartbeat line from the container would
 * miss. It also costs nothing extra (a heartbeat would be one more custom metric and a log line a minute).
 */

/** Host metrics namespace of SageMaker endpoints (CPU, GPU, memory per instance). */
export const ENDPOINT_INSTANCE_NAMESPACE = "/aws/sagemaker/Endpoints";
/** The host metric whose 1-minute SampleCount is the number of running instances. */
export const INSTANCE_COUNT_METRIC = "CPUUtilization";

/**
 * Custom namespace the metric filters publish to, one per endpoint. Metric filters can only take dimension
 * values from the log line, and the container does not know its endpoint's name, so the endpoint goes into the
 * namespace instead: `WhisperAsync/<endpointName>`, metrics without dimensions.
 */
export function costMetricsNamespace(endpointName: string): string {
  return `WhisperAsync/${endpointName}`;
}

/** The log group SageMaker writes the endpoint's container output to (one stream per instance). */
export function endpointLogGroupName(endpointName: string): string {
  return `/aws/sagemaker/Endpoints/${endpointName}`;
}

/** Metric names in {@link costMetricsNamespace}; none has dimensions. */
export const COST_METRICS = {
  /** Every answered invocation, whatever its outcome (Sum = requests). */
  requests: "Requests",
  /** Audio duration of each successful transcription (Sum = audio seconds transcribed). */
  audioSeconds: "AudioSeconds",
  /** Decode + transcription time of each successful transcription (Sum = busy seconds). */
  processingSeconds: "ProcessingSeconds",
  /** Time each successful request waited in the container's queue behind the running job (Average = mean). */
  queueSeconds: "QueueSeconds",
  /** One per server start with a loaded model: a cold start (Sum = cold starts). */
  coldStarts: "ColdStarts",
  /** Seconds the model took to load at each start (Average = mean load time). */
  modelLoadSeconds: "ModelLoadSeconds",
} as const;

export type CostMetricName = (typeof COST_METRICS)[keyof typeof COST_METRICS];

/** One metric filter: which lines (pattern), which value, into which metric. */
export interface LogMetricFilter {
  readonly metricName: CostMetricName;
  /** CloudWatch Logs JSON filter pattern. */
  readonly pattern: string;
  /** `1` to count lines, or `$.field` to publish a field of the matched line. */
  readonly value: string;
  readonly unit: "Count" | "Seconds";
}

// A field published as the value also appears in the pattern (`>= 0`): only lines that carry it as a number
// match, so a line without it adds nothing instead of a default. No defaultValue either: a period without
// matching lines stays missing in CloudWatch, never a 0 that would look like a measurement.
const INVOCATION = '$.message = "invocation"';
const SUCCESS = `${INVOCATION} && $.status = 200`;
const READY = '$.message = "ready"';

export const LOG_METRIC_FILTERS: readonly LogMetricFilter[] = [
  { metricName: COST_METRICS.requests, pattern: `{ ${INVOCATION} }`, value: "1", unit: "Count" },
  {
    metricName: COST_METRICS.audioSeconds,
    pattern: `{ ${SUCCESS} && $.audio_seconds >= 0 }`,
    value: "$.audio_seconds",
    unit: "Seconds",
  },
  {
    metricName: COST_METRICS.processingSeconds,
    pattern: `{ ${SUCCESS} && $.processing_seconds >= 0 }`,
    value: "$.processing_seconds",
    unit: "Seconds",
  },
  {
    metricName: COST_METRICS.queueSeconds,
    pattern: `{ ${SUCCESS} && $.queue_seconds >= 0 }`,
    value: "$.queue_seconds",
    unit: "Seconds",
  },
  { metricName: COST_METRICS.coldStarts, pattern: `{ ${READY} }`, value: "1", unit: "Count" },
  {
    metricName: COST_METRICS.modelLoadSeconds,
    pattern: `{ ${READY} && $.load_seconds >= 0 }`,
    value: "$.load_seconds",
    unit: "Seconds",
  },
];

/**
 * Amazon Transcribe's standard batch rate, first tier, us-east-1: $0.024 per minute = $1.44 per audio hour
 * (https://aws.amazon.com/transcribe/pricing/, the rate the README's comparison and docs/costs.md quote). Only for
 * comparison.
 */
export const TRANSCRIBE_PRICE_PER_AUDIO_HOUR = 1.44;
