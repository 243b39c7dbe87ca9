/**
 * The cost measurement the program deploys, under mocks: the endpoint's log group with a retention, the metric
 * filters into the endpoint's namespace, and the dashboard's cost widgets with their metric math at the stack's
 * price. The patterns themselves are run over real server lines in tests/cost/metric-filters.test.ts.
 */
import { strict as assert } from "node:assert";
import { LOG_METRIC_FILTERS } from "../../components/cost-metric-filters";
import { REGION, loadProgram, ofType, one } from "./mocks";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ENDPOINT = "whisper-dev-g4dn-xlarge";
const NAMESPACE = `WhisperAsync/${ENDPOINT}`;

/** Every metric (not expression) line of the dashboard's widgets, and the expressions by id. */
function dashboard() {
  const body: Json = JSON.parse(one("aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody);
  const lines: Json[][] = body.widgets.flatMap((w: Json) => w.properties.metrics);
  const expressions = new Map<string, string>(
    lines.filter((l) => l[0]?.expression !== undefined).map((l) => [l[0].id, l[0].expression]),
  );
  return { body, lines, expressions };
}

describe("cost measurement in the program (ml.g4dn.xlarge at the price set for the mocks' region)", function () {
  before(async function () {
    await loadProgram({
      "aws:region": REGION,
      "whisper-async:instancePricePerHour": "0.7364",
      "whisper-async:logRetentionDays": "90",
    });
  });

  it("creates the endpoint's log group itself, with the configured retention", function () {
    const group = one("aws:cloudwatch/logGroup:LogGroup", "-cost-logs");
    assert.equal(group.inputs.name, `/aws/sagemaker/Endpoints/${ENDPOINT}`);
    assert.equal(group.inputs.retentionInDays, 90);
  });

  it("turns the server's lines into metrics without dimensions in WhisperAsync/<endpoint>, no default value", function () {
    const filters = ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter");
    assert.equal(filters.length, LOG_METRIC_FILTERS.length);
    for (const expected of LOG_METRIC_FILTERS) {
      const found = filters.filter((f) => f.inputs.metricTransformation.name === expected.metricName);
      assert.equal(found.length, 1, expected.metricName);
      assert.equal(found[0].inputs.logGroupName, `/aws/sagemaker/Endpoints/${ENDPOINT}`);
      assert.equal(found[0].inputs.pattern, expected.pattern);
      assert.deepEqual(found[0].inputs.metricTransformation, {
        name: expected.metricName,
        namespace: NAMESPACE,
        value: expected.value,
        unit: expected.unit,
      });
    }
  });

  it("shows audio hours, instance hours, $ and $ per audio hour with metric math at the instance price", function () {
    const { lines, expressions } = dashboard();
    const audio = lines.find((l) => l[0] === NAMESPACE && l[1] === "AudioSeconds");
    assert.deepEqual(audio?.[2], { id: "audio", stat: "Sum", visible: false });
    const samples = lines.find((l) => l[1] === "CPUUtilization" && l.at(-1)?.id === "samples");
    assert.deepEqual(samples, [
      "/aws/sagemaker/Endpoints",
      "CPUUtilization",
      "EndpointName",
      ENDPOINT,
      "VariantName",
      "whisper",
      { id: "samples", stat: "SampleCount", visible: false },
    ]);
    assert.equal(expressions.get("audioHours"), "audio / 3600");
    assert.equal(expressions.get("instanceHours"), "samples / 60");
    assert.equal(expressions.get("dollars"), "samples / 60 * 0.7364");
    assert.equal(expressions.get("dollarsPerAudioHour"), "(samples / 60 * 0.7364) / (audio / 3600)");
    assert.equal(expressions.get("xRealtime"), "audio / busy");
  });

  it("never fills gaps with zeros: no FILL in any expression, per-hour periods on the cost widgets", function () {
    const { body, expressions } = dashboard();
    for (const expression of expressions.values()) assert.doesNotMatch(expression, /FILL/i);
    const costWidgets = body.widgets.filter((w: Json) => w.properties.metrics.some((l: Json[]) => l[0] === NAMESPACE));
    assert.equal(costWidgets.length, 4);
    for (const widget of costWidgets) assert.equal(widget.properties.period, 3600);
  });
});
