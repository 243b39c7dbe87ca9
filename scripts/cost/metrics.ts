/** Reads the daily sums behind the cost report with CloudWatch GetMetricData (raw statistics, no metric math). */
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import {
  COST_METRICS,
  ENDPOINT_INSTANCE_NAMESPACE,
  INSTANCE_COUNT_METRIC,
  costMetricsNamespace,
} from "../../components/cost-metric-filters";
import { dayKey, type DayWindow } from "./days";
import type { DailyMetrics } from "./report";

export interface EndpointRef {
  readonly endpointName: string;
  readonly variantName: string;
}

const DAY_SECONDS = 86_400;

/** Query id -> the DailyMetrics field it fills, and the metric and statistic it reads. */
type Field = keyof DailyMetrics;
interface Source {
  readonly namespace: "custom" | "instances";
  readonly metric: string;
  readonly stat: "Sum" | "SampleCount";
}
const SOURCES: Readonly<Record<Field, Source>> = {
  requests: { namespace: "custom", metric: COST_METRICS.requests, stat: "Sum" },
  audioSeconds: { namespace: "custom", metric: COST_METRICS.audioSeconds, stat: "Sum" },
  processingSeconds: { namespace: "custom", metric: COST_METRICS.processingSeconds, stat: "Sum" },
  queueSecondsSum: { namespace: "custom", metric: COST_METRICS.queueSeconds, stat: "Sum" },
  queueSecondsCount: { namespace: "custom", metric: COST_METRICS.queueSeconds, stat: "SampleCount" },
  coldStarts: { namespace: "custom", metric: COST_METRICS.coldStarts, stat: "Sum" },
  instanceSamples: { namespace: "instances", metric: INSTANCE_COUNT_METRIC, stat: "SampleCount" },
};

/** The GetMetricData queries: one per field, one data point per UTC day. Ids are the field names, lowercased. */
export function metricQueries(endpoint: EndpointRef): MetricDataQuery[] {
  return Object.entries(SOURCES).map(([field, source]) => ({
    Id: field.toLowerCase(),
    ReturnData: true,
    MetricStat: {
      Metric:
        source.namespace === "custom"
          ? { Namespace: costMetricsNamespace(endpoint.endpointName), MetricName: source.metric }
          : {
              Namespace: ENDPOINT_INSTANCE_NAMESPACE,
              MetricName: source.metric,
              Dimensions: [
                { Name: "EndpointName", Value: endpoint.endpointName },
                { Name: "VariantName", Value: endpoint.variantName },
              ],
            },
      Period: DAY_SECONDS,
      Stat: source.stat,
    },
  }));
}

/** Daily metrics by `YYYY-MM-DD`; a day or field CloudWatch returned nothing for is simply absent. */
export async function readDailyMetrics(
  client: CloudWatchClient,
  endpoint: EndpointRef,
  window: DayWindow,
): Promise<Map<string, DailyMetrics>> {
  const fieldById = new Map(Object.keys(SOURCES).map((field) => [field.toLowerCase(), field as Field]));
  const byDay = new Map<string, Record<string, number>>();
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: metricQueries(endpoint),
        StartTime: window.start,
        EndTime: window.end,
        ScanBy: "TimestampAscending",
        NextToken: nextToken,
      }),
    );
    for (const result of page.MetricDataResults ?? []) {
      const field = fieldById.get(result.Id ?? "");
      if (!field) continue;
      const timestamps = result.Timestamps ?? [];
      const values = result.Values ?? [];
      timestamps.forEach((time, i) => {
        const day = dayKey(new Date(time));
        const entry = byDay.get(day) ?? {};
        entry[field] = (entry[field] ?? 0) + values[i];
        byDay.set(day, entry);
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return byDay as Map<string, DailyMetrics>;
}
