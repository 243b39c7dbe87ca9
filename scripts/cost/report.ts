/**
 * The cost arithmetic of `npm run cost`, on the raw daily sums read from CloudWatch: the same math the dashboard
 * does with metric-math expressions (components/cost-widgets.ts), done here because it must also total days.
 * A figure that was not measured is null (shown as "n/a"), never 0: a day without instance samples has an
 * unknown cost, not a free one.
 */
import { TRANSCRIBE_PRICE_PER_AUDIO_HOUR } from "../../components/cost-metric-filters";

/** What CloudWatch returned for one day; a field is absent when the metric had no data point that day. */
export interface DailyMetrics {
  readonly requests?: number;
  readonly audioSeconds?: number;
  readonly processingSeconds?: number;
  /** Sum and SampleCount of QueueSeconds, so means can be combined across days. */
  readonly queueSecondsSum?: number;
  readonly queueSecondsCount?: number;
  readonly coldStarts?: number;
  /** SampleCount of the endpoint's CPUUtilization: one per running instance per minute. */
  readonly instanceSamples?: number;
}

export interface CostRow {
  /** `YYYY-MM-DD`, or `total`. */
  readonly day: string;
  readonly requests: number | null;
  readonly audioHours: number | null;
  readonly instanceHours: number | null;
  readonly dollars: number | null;
  readonly dollarsPerAudioHour: number | null;
  /** Audio seconds per processing second (audio-weighted mean speed). */
  readonly xRealtime: number | null;
  readonly meanQueueSeconds: number | null;
  readonly coldStarts: number | null;
  /** The same audio at Amazon Transcribe's standard batch rate. */
  readonly transcribeDollars: number | null;
}

export interface CostReport {
  readonly pricePerHour: number;
  readonly transcribePricePerAudioHour: number;
  readonly days: readonly CostRow[];
  readonly total: CostRow;
}

/** a / b when both are known and b > 0; null otherwise. */
function ratio(a: number | undefined | null, b: number | undefined | null): number | null {
  return a != null && b != null && b > 0 ? a / b : null;
}

function scaled(value: number | undefined | null, factor: number): number | null {
  return value == null ? null : value * factor;
}

/** Sum of the known values; undefined when none is known (so a total of nothing stays n/a). */
function knownSum(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0);
}

/** One row from one day's (or the period's summed) metrics at `pricePerHour` dollars per instance-hour. */
export function costRow(day: string, m: DailyMetrics, pricePerHour: number): CostRow {
  const audioHours = scaled(m.audioSeconds, 1 / 3600);
  const instanceHours = scaled(m.instanceSamples, 1 / 60);
  const dollars = scaled(instanceHours, pricePerHour);
  return {
    day,
    requests: m.requests ?? null,
    audioHours,
    instanceHours,
    dollars,
    dollarsPerAudioHour: ratio(dollars, audioHours),
    xRealtime: ratio(m.audioSeconds, m.processingSeconds),
    meanQueueSeconds: ratio(m.queueSecondsSum, m.queueSecondsCount),
    coldStarts: m.coldStarts ?? null,
    transcribeDollars: scaled(audioHours, TRANSCRIBE_PRICE_PER_AUDIO_HOUR),
  };
}

/** Rows per day (in the order given) and a total row over the days that have data. */
export function costReport(days: readonly string[], byDay: ReadonlyMap<string, DailyMetrics>, pricePerHour: number) {
  const metrics = days.map((day) => byDay.get(day) ?? {});
  const keys: (keyof DailyMetrics)[] = [
    "requests",
    "audioSeconds",
    "processingSeconds",
    "queueSecondsSum",
    "queueSecondsCount",
    "coldStarts",
    "instanceSamples",
  ];
  const summed = Object.fromEntries(keys.map((key) => [key, knownSum(metrics.map((m) => m[key]))])) as DailyMetrics;
  const report: CostReport = {
    pricePerHour,
    transcribePricePerAudioHour: TRANSCRIBE_PRICE_PER_AUDIO_HOUR,
    days: days.map((day, i) => costRow(day, metrics[i], pricePerHour)),
    total: costRow("total", summed, pricePerHour),
  };
  return report;
}

const COLUMNS: readonly [string, (row: CostRow) => string][] = [
  ["day", (r) => r.day],
  ["requests", (r) => fixed(r.requests, 0)],
  ["audio h", (r) => fixed(r.audioHours, 2)],
  ["instance h", (r) => fixed(r.instanceHours, 2)],
  ["$", (r) => fixed(r.dollars, 2)],
  ["$/audio h", (r) => fixed(r.dollarsPerAudioHour, 3)],
  ["x realtime", (r) => fixed(r.xRealtime, 1)],
  ["queue s", (r) => fixed(r.meanQueueSeconds, 1)],
  ["cold starts", (r) => fixed(r.coldStarts, 0)],
  ["Transcribe $", (r) => fixed(r.transcribeDollars, 2)],
];

function fixed(value: number | null, digits: number): string {
  return value === null ? "n/a" : value.toFixed(digits);
}

/** The report as an aligned text table: one line per day, then the total. */
export function formatTable(report: CostReport): string {
  const rows = [...report.days, report.total].map((row) => COLUMNS.map(([, cell]) => cell(row)));
  const header = COLUMNS.map(([title]) => title);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((cells) => cells[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...rows.slice(0, -1).map(line), rule, line(rows[rows.length - 1])].join("\n");
}
