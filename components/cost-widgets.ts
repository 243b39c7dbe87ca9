/**
 * Dashboard widgets for what the service costs: audio hours, instance hours, dollars and dollars per audio hour,
 * per hour, computed with CloudWatch metric math from the log-derived metrics (cost-metric-filters.ts) and the
 * instance count (CPUUtilization samples). Pure JSON building, no Pulumi.
 */
import { COST_METRICS, ENDPOINT_INSTANCE_NAMESPACE, INSTANCE_COUNT_METRIC } from "./cost-metric-filters";

export interface CostWidgetArgs {
  readonly endpointName: string;
  readonly variantName: string;
  /** Namespace of the log-derived metrics (`WhisperAsync/<endpointName>`). */
  readonly namespace: string;
  /** US dollars per instance-hour. */
  readonly pricePerHour: number;
  readonly region: string;
  /** Top row of the widgets on the dashboard grid. */
  readonly y: number;
}

/** One hour: long enough to hold many requests, short enough to see a working day's shape. */
export const COST_PERIOD_SECONDS = 3600;

/**
 * The metric-math expressions, by id. `audio` is the AudioSeconds Sum, `samples` the CPUUtilization SampleCount
 * (one per instance per minute, so samples / 60 = instance hours), `busy` the ProcessingSeconds Sum. Arithmetic
 * on two series has a point only where both have one, and nothing here is FILLed: an hour without samples has no
 * cost (a gap, never $0), an hour without successful audio no $ per audio hour. No IF is needed against a zero
 * divisor: AudioSeconds and ProcessingSeconds are only published by a successful transcription.
 */
export function costExpressions(pricePerHour: number): Record<string, string> {
  return {
    audioHours: "audio / 3600",
    instanceHours: "samples / 60",
    dollars: `samples / 60 * ${pricePerHour}`,
    dollarsPerAudioHour: `(samples / 60 * ${pricePerHour}) / (audio / 3600)`,
    xRealtime: "audio / busy",
  };
}

export function costWidgets(args: CostWidgetArgs): object[] {
  /** A log-derived metric; `options` are the dashboard's rendering options (id, stat, label, visible, yAxis). */
  const custom = (metric: string, options: Record<string, unknown>) => [args.namespace, metric, options];
  const audio = custom(COST_METRICS.audioSeconds, { id: "audio", stat: "Sum", visible: false });
  const busy = custom(COST_METRICS.processingSeconds, { id: "busy", stat: "Sum", visible: false });
  const samples = [
    ENDPOINT_INSTANCE_NAMESPACE,
    INSTANCE_COUNT_METRIC,
    "EndpointName",
    args.endpointName,
    "VariantName",
    args.variantName,
    { id: "samples", stat: "SampleCount", visible: false },
  ];
  const math = costExpressions(args.pricePerHour);
  const expression = (id: keyof typeof math, label: string, yAxis: "left" | "right" = "left") => [
    { id, expression: math[id], label, yAxis },
  ];
  const widget = (title: string, x: number, y: number, metrics: unknown[][], stat = "Sum") => ({
    type: "metric",
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, metrics, region: args.region, stat, period: COST_PERIOD_SECONDS, view: "timeSeries" },
  });
  return [
    widget("Audio hours and instance hours (per hour)", 0, args.y, [
      audio,
      samples,
      expression("audioHours", "audio hours transcribed"),
      expression("instanceHours", "instance hours"),
    ]),
    widget(`Cost per hour ($${args.pricePerHour} per instance-hour)`, 12, args.y, [
      audio,
      samples,
      expression("dollars", "$ spent"),
      expression("dollarsPerAudioHour", "$ per audio hour", "right"),
    ]),
    widget("Requests, cold starts, queue wait (per hour)", 0, args.y + 6, [
      custom(COST_METRICS.requests, { id: "requests", stat: "Sum", label: "requests" }),
      custom(COST_METRICS.coldStarts, { id: "coldStarts", stat: "Sum", label: "cold starts" }),
      custom(COST_METRICS.queueSeconds, { id: "queue", stat: "Average", label: "mean queue wait (s)", yAxis: "right" }),
    ]),
    widget("Speed (x realtime) and model load (s)", 12, args.y + 6, [
      audio,
      busy,
      expression("xRealtime", "x realtime (audio / processing)"),
      custom(COST_METRICS.modelLoadSeconds, {
        id: "load",
        stat: "Average",
        label: "mean model load (s)",
        yAxis: "right",
      }),
    ]),
  ];
}
