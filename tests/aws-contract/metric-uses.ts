/**
 * Every (namespace, metric, dimensions) the program's alarms, dashboard widgets and scaling policies ask CloudWatch
 * for, and the check of each against the reviewed table (published-metrics.ts) and the program's own metric filters.
 */
import type { Recorded } from "../program/mocks";
import { PUBLISHED_METRICS, type PublishedMetric } from "./published-metrics";

export interface MetricUse {
  /** Resource name and place, for messages. */
  readonly where: string;
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function alarmUses(alarm: Recorded): MetricUse[] {
  const { inputs } = alarm;
  if (inputs.metricName !== undefined) {
    return [
      { where: alarm.name, namespace: inputs.namespace, name: inputs.metricName, dimensions: inputs.dimensions ?? {} },
    ];
  }
  return (inputs.metricQueries ?? [])
    .filter((q: Json) => q.metric !== undefined)
    .map((q: Json) => ({
      where: `${alarm.name} query ${q.id}`,
      namespace: q.metric.namespace,
      name: q.metric.metricName,
      dimensions: q.metric.dimensions ?? {},
    }));
}

/**
 * The metric rows of a dashboard widget: `[namespace, name, dim1, value1, ..., {options}?]`, where "." repeats the
 * previous row's item at that position and "..." the rest of it (CloudWatch's shorthand); expression rows are skipped.
 */
function widgetUses(where: string, rows: Json[]): MetricUse[] {
  const uses: MetricUse[] = [];
  let previous: Json[] = [];
  for (const row of rows) {
    if (row.length === 1 && typeof row[0] === "object") continue; // [{ expression }]
    const items: Json[] = [];
    for (const [i, item] of row.entries()) {
      if (item === "...") items.push(...previous.slice(i));
      else if (item === ".") items.push(previous[i]);
      else items.push(item);
    }
    const plain = items.filter((item) => typeof item === "string");
    previous = plain;
    const [namespace, name, ...pairs] = plain;
    const dimensions: Record<string, string> = {};
    for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]] = pairs[i + 1];
    uses.push({ where, namespace, name, dimensions });
  }
  return uses;
}

function dashboardUses(dashboard: Recorded): MetricUse[] {
  const body: Json = JSON.parse(dashboard.inputs.dashboardBody);
  return body.widgets
    .filter((w: Json) => w.type === "metric")
    .flatMap((w: Json) => widgetUses(`${dashboard.name} widget "${w.properties.title}"`, w.properties.metrics));
}

function scalingUses(policy: Recorded): MetricUse[] {
  const spec = policy.inputs.targetTrackingScalingPolicyConfiguration?.customizedMetricSpecification;
  if (spec === undefined) return [];
  const metrics: Json[] =
    spec.metricName !== undefined ? [spec] : (spec.metrics ?? []).map((m: Json) => m.metricStat?.metric);
  return metrics
    .filter((m) => m !== undefined)
    .map((m) => ({
      where: `${policy.name} target tracking`,
      namespace: m.namespace,
      name: m.metricName,
      dimensions: Object.fromEntries((m.dimensions ?? []).map((d: Json) => [d.name, d.value])),
    }));
}

/** Every metric the program reads. */
export function metricUses(resources: readonly Recorded[]): MetricUse[] {
  return resources.flatMap((r) => {
    if (r.type === "aws:cloudwatch/metricAlarm:MetricAlarm") return alarmUses(r);
    if (r.type === "aws:cloudwatch/dashboard:Dashboard") return dashboardUses(r);
    if (r.type === "aws:appautoscaling/policy:Policy") return scalingUses(r);
    return [];
  });
}

/** Metrics the program publishes itself: CloudWatch Logs metric filters (their dimensions are the filter's). */
function ownMetrics(resources: readonly Recorded[]): PublishedMetric[] {
  return resources
    .filter((r) => r.type === "aws:cloudwatch/logMetricFilter:LogMetricFilter")
    .map((r) => r.inputs.metricTransformation)
    .map((t) => ({
      namespace: t.namespace,
      name: t.name,
      dimensions: Object.keys(t.dimensions ?? {}),
      source: "a LogMetricFilter of this program",
    }));
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/**
 * What is wrong with each metric use: a metric not in the table, a dimension set other than the one it is published
 * with, or an EndpointName / VariantName value that is not this program's endpoint / variant.
 */
export function metricViolations(resources: readonly Recorded[]): string[] {
  const known = [...PUBLISHED_METRICS, ...ownMetrics(resources)];
  const endpoints = new Set(
    resources.filter((r) => r.type === "aws:sagemaker/endpoint:Endpoint").map((r) => r.inputs.name),
  );
  const variants = new Set(
    resources
      .filter((r) => r.type === "aws:sagemaker/endpointConfiguration:EndpointConfiguration")
      .flatMap((r) => r.inputs.productionVariants.map((v: Json) => v.variantName)),
  );
  const violations: string[] = [];
  for (const use of metricUses(resources)) {
    const label = `${use.where}: ${use.namespace} ${use.name} [${Object.keys(use.dimensions).join(", ")}]`;
    const rows = known.filter((m) => m.namespace === use.namespace && m.name === use.name);
    if (rows.length === 0) {
      violations.push(`${label}: not a metric SageMaker publishes for async endpoints (published-metrics.ts)`);
      continue;
    }
    if (!rows.some((m) => sameSet(m.dimensions, Object.keys(use.dimensions)))) {
      violations.push(`${label}: published with [${rows[0].dimensions.join(", ")}] only (${rows[0].source})`);
    }
    const { EndpointName, VariantName } = use.dimensions;
    if (EndpointName !== undefined && !endpoints.has(EndpointName)) {
      violations.push(`${label}: EndpointName ${EndpointName} is not this program's endpoint`);
    }
    if (VariantName !== undefined && !variants.has(VariantName)) {
      violations.push(`${label}: VariantName ${VariantName} is not this program's variant`);
    }
  }
  return violations;
}
