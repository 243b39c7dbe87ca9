import assert from "node:assert/strict";
import { dirname } from "node:path";
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import { costMetricsNamespace } from "../../components/cost-metric-filters";
import { dayKey } from "../../scripts/cost/days";
import { runCli } from "../client/helpers";
import { freeLoopbackPort } from "../../scripts/cli-kit/free-port";
import { startMoto, type MotoServer } from "../support/moto";

// `npm run cost` against moto: real GetMetricData calls over HTTP on metric data put beforehand. What moto does
// not prove: CloudWatch's own rounding of timestamps into periods, and that the metric filters publish (see
// metric-filters.test.ts for the patterns on real server lines).
const ENDPOINT = "whisper-dev-g4dn-xlarge";
const DAY_MS = 86_400_000;

/** Noon UTC `daysAgo` days before today: safely inside that UTC day. */
function noon(daysAgo: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 12) - daysAgo * DAY_MS);
}

const each = (name: string, values: number[], at: Date, unit: "Count" | "Seconds"): MetricDatum[] =>
  values.map((value) => ({ MetricName: name, Value: value, Timestamp: at, Unit: unit }));

/** CPUUtilization as SageMaker's hosts publish it: one sample per instance per minute, here as one statistic set. */
function instanceSamples(endpoint: string, sampleCount: number, at: Date): MetricDatum {
  return {
    MetricName: "CPUUtilization",
    Dimensions: [
      { Name: "EndpointName", Value: endpoint },
      { Name: "VariantName", Value: "whisper" },
    ],
    StatisticValues: { SampleCount: sampleCount, Sum: sampleCount * 10, Minimum: 5, Maximum: 20 },
    Timestamp: at,
    Unit: "Percent",
  };
}

describe("cost CLI against CloudWatch (moto)", function () {
  this.timeout(60_000);
  let moto: MotoServer;
  const cost = (args: string[], env: Record<string, string> = {}) =>
    runCli("cost.ts", args, { ...moto.awsEnv, ...env });
  const flags = ["--endpoint", ENDPOINT, "--variant", "whisper", "--price-per-hour", "0.8", "--since", "4d"];

  before(async () => {
    moto = await startMoto();
    const cloudwatch = new CloudWatchClient({
      endpoint: moto.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    const yesterday = noon(1);
    // Yesterday: 10 requests, 2 audio hours in 240 s of processing, 12 s of queue wait over 8 requests, 2 cold
    // starts, 90 instance-minutes. Three days ago: 30 idle instance-minutes. Two days ago and today: nothing.
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: costMetricsNamespace(ENDPOINT),
        MetricData: [
          ...each("Requests", Array(10).fill(1), yesterday, "Count"),
          ...each("AudioSeconds", Array(10).fill(720), yesterday, "Seconds"),
          ...each("ProcessingSeconds", Array(10).fill(24), yesterday, "Seconds"),
          ...each("QueueSeconds", [0, 0, 0, 0, 3, 3, 3, 3], yesterday, "Seconds"),
          ...each("ColdStarts", [1, 1], yesterday, "Count"),
        ],
      }),
    );
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: "/aws/sagemaker/Endpoints",
        MetricData: [
          instanceSamples(ENDPOINT, 90, yesterday),
          instanceSamples(ENDPOINT, 30, noon(3)),
          // Another endpoint's instances must not be billed to this one.
          instanceSamples("whisper-prod-g5-xlarge", 600, yesterday),
        ],
      }),
    );
    // Another endpoint's audio, in its own namespace.
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: costMetricsNamespace("whisper-prod-g5-xlarge"),
        MetricData: each("AudioSeconds", [99_999], yesterday, "Seconds"),
      }),
    );
  });
  after(async () => moto?.stop());

  it("prints a line per day with n/a where nothing was measured, and the total", async () => {
    const run = await cost(flags);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split("\n");
    assert.equal(lines[0], `${ENDPOINT} (variant whisper) at $0.8 per instance-hour`);
    assert.match(lines[1], /^day +requests +audio h +instance h +\$ +\$\/audio h +x realtime +queue s +cold starts/);
    const cells = (day: string) =>
      lines
        .find((line) => line.startsWith(day))
        ?.split(/ {2,}/)
        .slice(1);
    //                                 requests audio h instance h  $     $/audio h x realtime queue s cold starts Transcribe $
    assert.deepEqual(cells(dayKey(noon(3))), ["n/a", "n/a", "0.50", "0.40", "n/a", "n/a", "n/a", "n/a", "n/a"]);
    assert.deepEqual(cells(dayKey(noon(2))), ["n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"]);
    assert.deepEqual(cells(dayKey(noon(1))), ["10", "2.00", "1.50", "1.20", "0.600", "30.0", "1.5", "2", "2.88"]);
    assert.deepEqual(cells(dayKey(noon(0))), ["n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"]);
    assert.deepEqual(cells("total"), ["10", "2.00", "2.00", "1.60", "0.800", "30.0", "1.5", "2", "2.88"]);
    assert.match(lines.at(-1) ?? "", /^n\/a: not measured that day/);
  });

  it("--json gives the same figures, with null (not 0) where nothing was measured", async () => {
    const run = await cost([...flags, "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.endpointName, ENDPOINT);
    assert.equal(report.pricePerHour, 0.8);
    assert.equal(report.transcribePricePerAudioHour, 1.44);
    assert.deepEqual(
      report.days.map((d: { day: string }) => d.day),
      [3, 2, 1, 0].map((ago) => dayKey(noon(ago))),
    );
    assert.equal(report.days[1].dollars, null);
    assert.equal(report.days[1].instanceHours, null);
    assert.equal(report.days[0].dollars, 0.4);
    assert.equal(report.days[2].requests, 10);
    assert.ok(Math.abs(report.total.dollars - 1.6) < 1e-9);
    assert.ok(Math.abs(report.total.dollarsPerAudioHour - 0.8) < 1e-9);
  });

  it("usage errors exit 2 with the option named; --help exits 0", async () => {
    const bad = await cost([...flags, "--since", "2w"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^usage error: --since must be a number of days from 1d to 455d/m);
    const price = await cost(["--endpoint", ENDPOINT, "--variant", "whisper", "--price-per-hour", "0"]);
    assert.equal(price.code, 2);
    assert.match(price.stderr, /^usage error: --price-per-hour must be above 0/m);
    // No flags and no Pulumi CLI to read the stack with (PATH holds only node).
    const noStack = await cost([], { PATH: dirname(process.execPath) });
    assert.equal(noStack.code, 2);
    assert.match(noStack.stderr, /cannot read the stack outputs.*or pass --endpoint, --variant and --price-per-hour/);
    const help = await cost(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: npm run cost -- \[--stack NAME\] \[--since 7d\] \[--json\]/);
  });

  it("a CloudWatch call that fails exits 1 with the error on stderr", async () => {
    const closed = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const run = await cost(flags, { AWS_ENDPOINT_URL: closed, AWS_MAX_ATTEMPTS: "1" });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^error: /m);
    assert.equal(run.stdout, "");
  });
});
